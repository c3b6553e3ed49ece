// The benchmark trust: N pupils spread over 20 schools that run the demo schools' workflows on
// their local authorities' calendars, one academic year of registers written to CSV as a stream.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DEMO_SCHOOLS } from '../src/demo/demo-trust.ts';
import { syntheticMarks, syntheticPupils, type SyntheticSchool } from '../src/demo/synthetic.ts';
import type { IsoDate } from '../src/domain/types.ts';
import type { School } from '../src/store/types.ts';
import { calendarFor, getWorkflow } from '../workflows/index.ts';

/** Schools of the trust: 20, or more of 1,000 pupils each beyond 20,000 pupils (the cost curve's 100,000). */
export const SCHOOL_COUNT = 20;
export const TRUST = { id: 'bench-trust', name: 'Benchmark Learning Trust' };
// The UPN has three digits for the pupil's number within its school and birth year.
const MAX_PUPILS_PER_SCHOOL = 1000;
const YEAR = { start: '2025-09-01', end: '2026-08-31' } as const satisfies { start: IsoDate; end: IsoDate };

export interface TrustSize {
  pupils: number;
  weeks: number;
  seed: number;
}

export interface BenchSchool extends School {
  synthetic: SyntheticSchool;
  pupils: number;
  /** The last school day with marks, the same for every school: the evaluation runs as of it. */
  asOf: IsoDate;
  /** The next school day: the daily increment's marks. */
  nextDay: IsoDate;
}

export interface Manifest {
  size: TrustSize;
  schools: BenchSchool[];
  marks: number;
  nextDayMarks: number;
  /** Bytes of all the marks files: the import reads them all. */
  marksBytes: number;
}

export const dataDir = (size: TrustSize) => path.resolve('bench/.data', `p${size.pupils}-w${size.weeks}-s${size.seed}`);
export const schoolDir = (size: TrustSize, schoolId: string) => path.join(dataDir(size), schoolId);

export const PUPIL_COLUMNS = ['upn', 'forename', 'surname', 'date_of_birth', 'year_group', 'vulnerability'] as const;
export const CONTACT_COLUMNS = ['upn', 'name', 'relationship', 'email', 'phone', 'parental_responsibility', 'lives_with'] as const;
export const MARK_COLUMNS = ['upn', 'date', 'session', 'code'] as const;

/**
 * The 20 schools: the demo schools' workflows, calendars and phases in turn, each with its own UPN
 * prefix. Their registers end on one Monday (the weekly review day of most policies, so the
 * evaluation opens cases) after about `weeks` school weeks; the Tuesday after is the increment.
 */
export function benchSchools(size: TrustSize): BenchSchool[] {
  const schoolCount = Math.max(SCHOOL_COUNT, Math.ceil(size.pupils / MAX_PUPILS_PER_SCHOOL));
  const perSchool = Math.ceil(size.pupils / schoolCount);
  const templates = Array.from({ length: schoolCount }, (_, n) => DEMO_SCHOOLS[n % DEMO_SCHOOLS.length]!);
  const calendars = templates.map((demo) => calendarFor(getWorkflow(demo.workflowId), demo.localAuthority));
  const ends = calendars.map((calendar) => {
    const yearDays = calendar.schoolDays(YEAR.start, YEAR.end);
    return yearDays[Math.min(size.weeks * 5, yearDays.length) - 1]!;
  });
  const earliestEnd = ends.sort()[0]!;
  let asOf = calendars[0]!.schoolWeekStart(earliestEnd);
  while (!calendars.every((calendar) => calendar.isSchoolDay(asOf) && calendar.isSchoolDay(calendar.nextSchoolDay(asOf)) && calendar.nextSchoolDay(asOf) === calendars[0]!.nextSchoolDay(asOf))) {
    asOf = calendars[0]!.schoolWeekStart(calendars[0]!.addSchoolDays(asOf, -1));
  }
  const nextDay = calendars[0]!.nextSchoolDay(asOf);
  return templates.map((demo, n) => ({
    id: `bench-${String(n + 1).padStart(schoolCount > 99 ? 3 : 2, '0')}-${demo.id}`,
    trustId: TRUST.id,
    name: `${demo.name} (bench ${n + 1})`,
    workflowId: demo.workflowId,
    localAuthority: demo.localAuthority,
    notifyEmails: demo.notifyEmails,
    // The establishment number keeps UPNs apart once the 26 letters come round again.
    synthetic: { ...demo.synthetic, letter: String.fromCharCode(65 + (n % 26)), establishment: String(5000 + n) },
    pupils: Math.max(0, Math.min(perSchool, size.pupils - perSchool * n)),
    asOf,
    nextDay,
  }));
}

const csvField = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/** Writes rows as CSV, a chunk at a time and waiting for the disk: millions of rows never sit in memory. */
export async function writeCsv(file: string, header: readonly string[], rows: Iterable<readonly string[]>): Promise<{ rows: number; bytes: number }> {
  const out = createWriteStream(file);
  let chunk = `${header.join(',')}\n`;
  let count = 0;
  let bytes = 0;
  const flush = async () => {
    bytes += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
    chunk = '';
  };
  for (const row of rows) {
    chunk += `${row.map(csvField).join(',')}\n`;
    count += 1;
    if (chunk.length >= 1 << 20) await flush();
  }
  await flush();
  out.end();
  await once(out, 'finish');
  return { rows: count, bytes };
}

export function schoolPupils(size: TrustSize, school: BenchSchool, index: number) {
  return syntheticPupils(school.synthetic, school.pupils, size.seed * 1000 + index);
}

/** Generates the trust's files (deterministic for a size and seed) unless they are already there. */
export async function ensureTrustData(size: TrustSize, log: (line: string) => void = () => {}): Promise<Manifest> {
  const manifestFile = path.join(dataDir(size), 'manifest.json');
  const existing = await fs.readFile(manifestFile, 'utf8').catch(() => null);
  if (existing) return JSON.parse(existing) as Manifest;
  const schools = benchSchools(size);
  const manifest: Manifest = { size, schools, marks: 0, nextDayMarks: 0, marksBytes: 0 };
  for (const [index, school] of schools.entries()) {
    const dir = schoolDir(size, school.id);
    await fs.mkdir(dir, { recursive: true });
    const { pupils, contacts } = schoolPupils(size, school, index);
    const calendar = calendarFor(getWorkflow(school.workflowId), school.localAuthority);
    await writeCsv(path.join(dir, 'pupils.csv'), PUPIL_COLUMNS, pupils.map((p) => PUPIL_COLUMNS.map((c) => p[c])));
    await writeCsv(path.join(dir, 'contacts.csv'), CONTACT_COLUMNS, contacts.map((c) => CONTACT_COLUMNS.map((k) => c[k])));
    const seed = size.seed * 7919 + index;
    const year = await writeCsv(path.join(dir, 'marks.csv'), MARK_COLUMNS, syntheticMarks(pupils, calendar, YEAR.start, school.asOf, seed));
    // Its own seed: the day's absences are drawn afresh, as a new day's register would be.
    const next = await writeCsv(path.join(dir, 'next-day.csv'), MARK_COLUMNS, syntheticMarks(pupils, calendar, school.nextDay, school.nextDay, seed + 104_729));
    manifest.marks += year.rows;
    manifest.marksBytes += year.bytes;
    manifest.nextDayMarks += next.rows;
    log(`${school.id}: ${pupils.length} pupils, ${contacts.length} contacts, ${year.rows} marks to ${school.asOf}, ${next.rows} on ${school.nextDay}`);
  }
  await fs.writeFile(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
