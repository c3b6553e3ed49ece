import { parse } from 'csv-parse/sync';
import type { Parent } from '../../machines/types.ts';
import { isIsoDate } from '../domain/dates.ts';
import type { Mark } from '../domain/types.ts';
import type { Pupil, StaffAction } from './simulate.ts';

/** The simulator's CSV inputs: small files with a header row, read whole. */

type Row = Record<string, string>;

function rows(text: string, file: string, required: readonly string[]): Row[] {
  const records = parse(text, { columns: true, skip_empty_lines: true, trim: true }) as Row[];
  for (const [i, record] of records.entries()) {
    for (const column of required)
      if (!record[column]) throw new Error(`${file} line ${i + 2}: '${column}' is missing`);
    if (record.date !== undefined && !isIsoDate(record.date)) throw new Error(`${file} line ${i + 2}: '${record.date}' is not a date`);
  }
  return records;
}

const yes = (value: string | undefined) => /^(y|yes|true|1)$/i.test(value ?? '');

/** pupils.csv: upn[, hasSocialWorker][, vulnerability (RED, AMBER, GREEN)][, parentResponded]. */
export function parsePupils(text: string): Pupil[] {
  return rows(text, 'pupils', ['upn']).map((row) => {
    const vulnerability = row.vulnerability?.toUpperCase();
    if (vulnerability && !['RED', 'AMBER', 'GREEN'].includes(vulnerability))
      throw new Error(`pupils: ${row.upn} has vulnerability '${row.vulnerability}'`);
    return {
      upn: row.upn as string,
      flags: {
        hasSocialWorker: yes(row.hasSocialWorker),
        parentResponded: row.parentResponded === undefined || row.parentResponded === '' ? true : yes(row.parentResponded),
        ...(vulnerability ? { vulnerability: vulnerability as 'RED' | 'AMBER' | 'GREEN' } : {}),
      },
    };
  });
}

/** marks.csv: upn,date,session,code. */
export function parseMarks(text: string): Mark[] {
  return rows(text, 'marks', ['upn', 'date', 'session', 'code']).map((row) => {
    if (row.session !== 'AM' && row.session !== 'PM') throw new Error(`marks: session '${row.session}' is AM or PM`);
    return { upn: row.upn as string, date: row.date as string, session: row.session, code: row.code as string };
  });
}

/** contacts.csv: upn,id[,name]: the parents letters and penalty notices go to. */
export function parseContacts(text: string): Record<string, Parent[]> {
  const parents: Record<string, Parent[]> = {};
  for (const row of rows(text, 'contacts', ['upn', 'id'])) {
    const upn = row.upn as string;
    parents[upn] = [...(parents[upn] ?? []), row.name ? { id: row.id as string, name: row.name } : { id: row.id as string }];
  }
  return parents;
}

/** actions.csv: date,upn,action,detail. */
export function parseActions(text: string): StaffAction[] {
  return rows(text, 'actions', ['date', 'upn', 'action']).map((row) => ({
    date: row.date as string,
    upn: row.upn as string,
    action: row.action as string,
    detail: row.detail ?? '',
  }));
}
