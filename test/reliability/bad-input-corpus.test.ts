import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { openTestPostgres, sql } from '../support/postgres.ts';
import { IMPORTERS, importMarks, importPupils } from '../../src/register/import-register.ts';
import { formatReport } from '../../src/register/report-text.ts';
import type { RegisterFileKind } from '../../src/register/rows.ts';
import type { OpenedPostgres } from '../../src/store/postgres/open.ts';
import { Readable } from 'node:stream';
import { reportFigures } from './support/figures.ts';

const CORPUS = path.resolve(import.meta.dirname, '../fixtures/bad');
const SCHOOL = 'wca';

/** Each file of the corpus and the problems its report must name: [line, column]. */
const EXPECTED: Record<string, [number, string][]> = {
  'marks-bom-crlf-unknown-code.csv': [[3, 'code']],
  'marks-missing-column.csv': [[1, 'session']],
  'marks-extra-column.csv': [[1, 'teacher']],
  'marks-renamed-column.csv': [
    [1, 'mark'],
    [1, 'code'],
  ],
  'marks-duplicate-column.csv': [[1, 'code']],
  'marks-unknown-codes.csv': [
    [3, 'code'],
    [4, 'code'],
    [5, 'code'],
  ],
  'marks-impossible-dates.csv': [
    [2, 'date'],
    [3, 'date'],
    [4, 'date'],
  ],
  'marks-bad-sessions.csv': [
    [3, 'session'],
    [4, 'session'],
    [5, 'session'],
  ],
  'marks-conflicting-duplicates.csv': [[4, 'code']],
  'marks-not-on-roll.csv': [[3, 'upn']],
  'marks-non-utf8.csv': [[3, 'code']],
  'marks-ragged-rows.csv': [
    [2, ''],
    [3, ''],
  ],
  'marks-bad-upns.csv': [
    [2, 'upn'],
    [3, 'upn'],
  ],
  'marks-empty.csv': [[1, '']],
  'pupils-impossible-dates.csv': [[2, 'date_of_birth']],
  'contacts-bad-email-unknown-pupil.csv': [
    [2, 'email'],
    [3, 'upn'],
  ],
};

const kindOf = (file: string) => file.split('-')[0] as RegisterFileKind;

/** Everything an import could touch, as one comparable value. */
async function registerState(url: string) {
  const [state] = await sql<{ state: string }>(
    url,
    `SELECT concat_ws('|',
       (SELECT md5(coalesce(string_agg(upn || date || session || code, ',' ORDER BY upn, date, session), '')) FROM mark_sessions),
       (SELECT count(*) FROM mark_amendments),
       (SELECT md5(coalesce(string_agg(upn || forename || surname || date_of_birth || year_group, ',' ORDER BY upn), '')) FROM pupils),
       (SELECT md5(coalesce(string_agg(upn || name || coalesce(email, ''), ',' ORDER BY upn, name), '')) FROM contacts)) AS state`,
  );
  return state!.state;
}

describe('the bad-input corpus (test/fixtures/bad)', () => {
  let db: OpenedPostgres;

  beforeAll(async () => {
    db = await openTestPostgres();
    await db.store.upsertTrust({ id: 'atlp', name: 'ATLP' });
    await db.store.upsertSchool({ id: SCHOOL, trustId: 'atlp', name: 'West Coventry Academy', workflowId: 'west-coventry', localAuthority: 'coventry' });
    const at = new Date();
    const pupils = 'upn,forename,surname,date_of_birth,year_group\nR000000000001,Pat,Number1,2011-01-01,9\nR000000000002,Sam,Number2,2011-01-01,9\n';
    expect((await importPupils(db.store, { schoolId: SCHOOL, source: Readable.from([Buffer.from(pupils)]), actor: 'test', reason: 'fixture', at })).applied).toBe(true);
    // A register already there, which no bad file may change.
    const marks = 'upn,date,session,code\nR000000000001,2024-09-02,AM,/\nR000000000002,2024-09-02,AM,O\n';
    expect((await importMarks(db.store, { schoolId: SCHOOL, source: Readable.from([Buffer.from(marks)]), actor: 'test', reason: 'fixture', at })).applied).toBe(true);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('when the corpus is listed, then every file in it has its expected report here (and the table names no missing file)', async () => {
    const files = (await readdir(CORPUS)).filter((f) => f.endsWith('.csv')).sort();
    expect(files.filter((f) => f !== 'marks-binary.csv')).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('when %s is imported, then it is rejected with a line-numbered report and nothing changes', async (file, expected) => {
    const before = await registerState(db.url);
    const report = await IMPORTERS[kindOf(file)](db.store, { schoolId: SCHOOL, source: createReadStream(path.join(CORPUS, file)), actor: 'test', reason: 'bad input', at: new Date() });
    expect(report.applied).toBe(false);
    expect(report.problems.map((p) => [p.line, p.column])).toEqual(expected);
    expect(report.rejected).toBe(new Set(expected.map(([line]) => line)).size);
    // What the CLI prints: each problem on its own line, with its line number and what to fix.
    const printed = formatReport(report);
    expect(printed).toContain('REJECTED, nothing was imported');
    for (const [line] of expected) expect(printed).toMatch(new RegExp(`^  line ${line}\\b.*\\S`, 'm'));
    expect(await registerState(db.url)).toBe(before);
  });

  it('when a file is random bytes, then it is rejected with a line-numbered report and nothing changes', async () => {
    const before = await registerState(db.url);
    const report = await importMarks(db.store, { schoolId: SCHOOL, source: createReadStream(path.join(CORPUS, 'marks-binary.csv')), actor: 'test', reason: 'bad input', at: new Date() });
    expect(report.applied).toBe(false);
    expect(report.problems.length).toBeGreaterThan(0);
    expect(report.problems.every((p) => p.line >= 1 && p.message.length > 0)).toBe(true);
    expect(await registerState(db.url)).toBe(before);
    await reportFigures('bad-input-corpus', { files: Object.keys(EXPECTED).length + 1, problemsNamed: Object.values(EXPECTED).flat().length });
  });
});
