import { Readable } from 'node:stream';
import { importMarks, importContacts, importPupils } from '../../src/register/import-register.ts';
import type { SchoolCalendar } from '../../src/domain/calendar.ts';
import type { IsoDate } from '../../src/domain/types.ts';
import type { Store } from '../../src/store/types.ts';

const csv = (text: string) => Readable.from([Buffer.from(text)]);

/**
 * Imports a pupil's register through the real import path: present every session of every
 * school day from..to, except the sessions `absent` names ('2024-10-07 AM': 'O').
 */
export async function importRegister(store: Store, schoolId: string, upn: string, calendar: SchoolCalendar, from: IsoDate, to: IsoDate, absent: Record<string, string> = {}) {
  const rows = calendar.schoolDays(from, to).flatMap((date) => [
    `${upn},${date},AM,${absent[`${date} AM`] ?? '/'}`,
    `${upn},${date},PM,${absent[`${date} PM`] ?? '\\'}`,
  ]);
  const report = await importMarks(store, { schoolId, source: csv(`upn,date,session,code\n${rows.join('\n')}\n`), actor: 'test', reason: 'test register', at: new Date() });
  if (!report.applied) throw new Error(`register rejected: ${JSON.stringify(report.problems)}`);
  return report;
}

/** A school with one pupil and two parents with parental responsibility, through the real import path. */
export async function schoolWithPupil(store: Store, school: { id: string; workflowId: string; localAuthority: string }, upn: string) {
  await store.upsertTrust({ id: `trust-${school.id}`, name: 'Test Trust' });
  await store.upsertSchool({ ...school, trustId: `trust-${school.id}`, name: `School ${school.id}` });
  const at = new Date();
  await importPupils(store, { schoolId: school.id, source: csv(`upn,forename,surname,date_of_birth,year_group\n${upn},Sam,Taylor,2011-05-01,9\n`), actor: 'test', reason: 'test', at });
  await importContacts(store, {
    schoolId: school.id,
    source: csv(
      'upn,name,relationship,email,phone,parental_responsibility,lives_with\n' +
        `${upn},Jo Taylor,mother,jo@example.org,,yes,yes\n${upn},Chris Taylor,father,chris@example.org,,yes,no\n`,
    ),
    actor: 'test',
    reason: 'test',
    at,
  });
}
