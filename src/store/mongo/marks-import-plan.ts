// The pure parts of the MongoDB marks import: how CSV records are read and sorted into clean and
// suspect, how a chunk of staged marks becomes one bulkWrite and its amendments, where a chunk
// resumes, and how marks of an import not yet fully applied are laid over the register. No I/O:
// each is unit-tested without a mongod (test/unit/store/mongo-marks-import-plan.test.ts).
import { ATTENDANCE_CODES } from '../../domain/codes.ts';
import type { IsoDate, Session } from '../../domain/types.ts';
import type { RawMarkRecord, StoredMark } from '../types.ts';

/** A staged row: the file's line and its mark, as the schema made it (or as a clean record has it). */
export interface StagedMark {
  line: number;
  upn: string;
  date: IsoDate;
  session: Session;
  code: string;
}

/** Where an import's application has got to: every key up to and including this one is applied. */
export interface MarkKey {
  upn: string;
  date: IsoDate;
  session: Session;
}

const NATIONAL_CODES = new Set(ATTENDANCE_CODES.map((c) => c.code));
const UPN = /^[A-Z][0-9]{11}[0-9A-Z]$/;
/** As PostgreSQL's takeSuspects: dates of the last few years are taken by a set lookup. */
const TRUSTED_YEARS_BACK = 7;

/** Every real day from seven years before `year` to the end of the year after, as YYYY-MM-DD. */
export function trustedDates(year: number): Set<string> {
  const days = new Set<string>();
  for (let t = Date.UTC(year - TRUSTED_YEARS_BACK, 0, 1); t <= Date.UTC(year + 1, 11, 31); t += 86_400_000) {
    days.add(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/**
 * The fields of one clean CSV record (CsvPrefix vouches for it: one line, quotes only around
 * whole fields, a doubled quote inside a quoted field). Read as csv-parse and COPY read it.
 */
export function splitRecord(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i += 1;
      for (;;) {
        const close = line.indexOf('"', i);
        if (close < 0) throw new Error('a quoted field is not closed');
        value += line.slice(i, close);
        if (line[close + 1] === '"') {
          value += '"';
          i = close + 2;
        } else {
          i = close + 1;
          break;
        }
      }
      fields.push(value);
    } else {
      const comma = line.indexOf(',', i);
      fields.push(line.slice(i, comma < 0 ? line.length : comma));
      i = comma < 0 ? line.length : comma;
    }
    if (i >= line.length) return fields;
    i += 1; // the comma
    if (i === line.length) {
      fields.push('');
      return fields;
    }
  }
}

/** The records of a chunk of clean CSV lines, numbered from `firstLine`, fields named by `columns`. */
export function readRecords(chunk: Buffer, columns: readonly string[], firstLine: number): RawMarkRecord[] {
  const text = chunk.toString('utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((raw, i) => {
    const fields = splitRecord(raw.endsWith('\r') ? raw.slice(0, -1) : raw);
    const record: Record<string, string> = {};
    columns.forEach((name, c) => (record[name] = fields[c] ?? ''));
    return { line: firstLine + i, upn: record.upn!, date: record.date!, session: record.session!, code: record.code! };
  });
}

/**
 * The staged mark a record is, when it is already exactly what the schema would make of it: a
 * pupil on roll with a UPN of the schema's form, AM or PM, a national code as the list writes it,
 * a real date of recent years. Anything else (null) is a suspect, checked by the schema.
 */
export function cleanMark(record: RawMarkRecord, onRoll: ReadonlySet<string>, dates: ReadonlySet<string>): StagedMark | null {
  const { line, upn, date, session, code } = record;
  if (!UPN.test(upn) || !onRoll.has(upn)) return null;
  if (session !== 'AM' && session !== 'PM') return null;
  if (!NATIONAL_CODES.has(code) || !dates.has(date)) return null;
  return { line, upn, date, session, code };
}

const sameKey = (a: MarkKey, b: MarkKey) => a.upn === b.upn && a.date === b.date && a.session === b.session;

/** Rows in (upn, date, session, line) order, one per session: the first line of each wins. */
export function firstOfEachKey<T extends MarkKey>(sorted: T[]): T[] {
  const kept: T[] = [];
  for (const row of sorted) if (kept.length === 0 || !sameKey(kept[kept.length - 1]!, row)) kept.push(row);
  return kept;
}

/** The staged rows after `cursor` in key order: where an interrupted application resumes. */
export function afterKey(cursor: MarkKey | null): Record<string, unknown> {
  if (cursor === null) return {};
  return {
    $or: [
      { upn: { $gt: cursor.upn } },
      { upn: cursor.upn, date: { $gt: cursor.date } },
      { upn: cursor.upn, date: cursor.date, session: { $gt: cursor.session } },
    ],
  };
}

export interface AmendmentFields {
  reason: string;
  amendedBy: string;
  amendedAt: Date;
}

/** The marks already in the register for a chunk, by one `$or` of (upn, dates) per pupil. */
export function existingMarksFilter(schoolId: string, chunk: MarkKey[]): Record<string, unknown> {
  const datesByUpn = new Map<string, Set<IsoDate>>();
  for (const row of chunk) datesByUpn.set(row.upn, (datesByUpn.get(row.upn) ?? new Set()).add(row.date));
  return { $or: [...datesByUpn].map(([upn, dates]) => ({ schoolId, upn, date: { $in: [...dates] } })) };
}

export const markKeyText = (k: MarkKey) => `${k.upn}\u0000${k.date}\u0000${k.session}`;

/**
 * What one chunk of distinct staged marks writes: inserts for sessions not in the register,
 * updates (each with an amendment) for those whose code changes, nothing for the same code.
 * The insert is an upsert keyed on the unique index, so a chunk written twice writes once.
 */
export function chunkWrites(schoolId: string, chunk: StagedMark[], existing: ReadonlyMap<string, string>, amendment: AmendmentFields) {
  const marks: { updateOne: { filter: Record<string, unknown>; update: Record<string, unknown>; upsert?: boolean } }[] = [];
  const amendments: (MarkKey & { schoolId: string; originalCode: string; newCode: string } & AmendmentFields)[] = [];
  let inserted = 0;
  for (const row of chunk) {
    const key = { schoolId, upn: row.upn, date: row.date, session: row.session };
    const original = existing.get(markKeyText(row));
    if (original === undefined) {
      marks.push({ updateOne: { filter: key, update: { $setOnInsert: { code: row.code } }, upsert: true } });
      inserted += 1;
    } else if (original !== row.code) {
      marks.push({ updateOne: { filter: key, update: { $set: { code: row.code } } } });
      amendments.push({ ...key, originalCode: original, newCode: row.code, ...amendment });
    }
  }
  return { marks, amendments, inserted, amended: amendments.length };
}

/**
 * The register as readers must see it while a switched import is still being applied: the
 * import's staged marks (first line per session, keys after its cursor) over the applied ones,
 * then the codes filter, in (upn, date, session) order.
 */
export function overlayMarks(
  applied: (StoredMark & { upn: string })[],
  staged: StagedMark[],
  codes?: readonly string[],
): StoredMark[] {
  const byKey = new Map<string, StoredMark>();
  for (const m of applied) byKey.set(markKeyText(m), { upn: m.upn, date: m.date, session: m.session, code: m.code });
  for (const s of firstOfEachKey(staged)) byKey.set(markKeyText(s), { upn: s.upn, date: s.date, session: s.session, code: s.code });
  const wanted = codes ? new Set(codes) : null;
  return [...byKey.values()]
    .filter((m) => wanted === null || wanted.has(m.code))
    .sort((a, b) => a.upn.localeCompare(b.upn) || a.date.localeCompare(b.date) || a.session.localeCompare(b.session));
}
