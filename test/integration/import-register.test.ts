import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Readable } from 'node:stream';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFile, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freshDatabaseUrl } from '../support/postgres.ts';
import { openPostgres, type OpenedPostgres } from '../../src/store/postgres/open.ts';
import { importContacts, importMarks, importPupils, PROBLEM_LIMIT } from '../../src/register/import-register.ts';
import { computeMetrics } from '../../src/domain/metrics.ts';
import { calendarFor, getWorkflow } from '../../workflows/index.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const at = new Date('2025-01-20T08:00:00Z');
const SCHOOL = 'wca';
const P1 = 'A123456789012';
const P2 = 'B123456789013';
const P3 = 'C12345678901D';
const P4 = 'D123456789014';

const source = (text: string | Buffer) => Readable.from([typeof text === 'string' ? Buffer.from(text) : text]);
const input = (text: string | Buffer, reason = 'MIS export') => ({ schoolId: SCHOOL, source: source(text), actor: 'user:officer', reason, at });

describe('importing the register from the school MIS', () => {
  let db: OpenedPostgres;
  let url: string;

  beforeAll(async () => {
    url = await freshDatabaseUrl();
    db = await openPostgres(url);
    await db.store.upsertTrust({ id: 'atlp', name: 'Arthur Terry Learning Partnership' });
    await db.store.upsertSchool({ id: SCHOOL, trustId: 'atlp', name: 'West Coventry Academy', workflowId: 'west-coventry', localAuthority: 'coventry' });
  });
  afterAll(async () => {
    await db?.close();
  });

  it('when pupils.csv has a BOM, CRLF line ends and optional columns, then every pupil is imported', async () => {
    const csv =
      '\uFEFFupn,forename,surname,date_of_birth,year_group,vulnerability\r\n' +
      `${P1},Amira,Khan,2011-10-02,9,ehcp;lac\r\n` +
      `${P2.toLowerCase()},Ben,O'Neill,2012-01-15,8,\r\n` +
      `${P3},Cara,"Smith, Jones",2012-05-30,R,social_worker\r\n`;
    const report = await importPupils(db.store, input(csv));
    expect(report).toMatchObject({ applied: true, read: 3, inserted: 3, amended: 0, rejected: 0, problems: [] });
    expect(await db.store.getPupil(SCHOOL, P2)).toMatchObject({ forename: 'Ben', surname: "O'Neill", yearGroup: '8', vulnerability: [], onRoll: true });
    expect(await db.store.getPupil(SCHOOL, P3)).toMatchObject({ surname: 'Smith, Jones', yearGroup: 'R', vulnerability: ['social_worker'] });
    expect((await importPupils(db.store, input(csv))).amended).toBe(3);
  });

  it('when contacts.csv lists two parents, then both are kept with their responsibilities', async () => {
    const csv =
      'upn,name,relationship,email,phone,parental_responsibility,lives_with\n' +
      `${P1},Sara Khan,Mother,sara@example.org,07700 900001,yes,yes\n` +
      `${P1},Omar Khan,Father,,07700 900002,yes,no\n` +
      `${P2},Gran O'Neill,Grandparent,gran@example.org,,no,yes\n`;
    expect(await importContacts(db.store, input(csv))).toMatchObject({ applied: true, read: 3, inserted: 3, amended: 2 });
    expect(await db.store.listContacts(SCHOOL, P1)).toEqual([
      { schoolId: SCHOOL, upn: P1, name: 'Sara Khan', relationship: 'mother', email: 'sara@example.org', phone: '07700 900001', parentalResponsibility: true, livesWith: true, address: null },
      { schoolId: SCHOOL, upn: P1, name: 'Omar Khan', relationship: 'father', email: null, phone: '07700 900002', parentalResponsibility: true, livesWith: false, address: null },
    ]);
  });

  it('when contacts.csv has a bad email and an unknown pupil, then it is rejected with both lines named', async () => {
    const csv =
      'upn,name,relationship,email,phone,parental_responsibility,lives_with\n' +
      `${P1},Sara Khan,mother,not-an-email,,yes,yes\n` +
      `Z999999999999,Nobody,mother,,,maybe,yes\n`;
    const report = await importContacts(db.store, input(csv));
    expect(report.applied).toBe(false);
    expect(report.problems.map((p) => [p.line, p.column])).toEqual([
      [2, 'email'],
      [3, 'parental_responsibility'],
    ]);
    expect(report.problems[0]!.message).toBe("email 'not-an-email' is not an email address");
    expect(await db.store.listContacts(SCHOOL, P1)).toHaveLength(2);
  });

  it('when a pupils or contacts file carries a 5 MB name, then the file is refused naming the line and column, and nothing is stored', async () => {
    const huge = 'A'.repeat(5 * 1024 * 1024);
    const pupils = await importPupils(db.store, input(`upn,forename,surname,date_of_birth,year_group\n${P4},${huge},Long,2012-01-15,8\n`));
    expect(pupils.applied).toBe(false);
    expect(pupils.problems.map((p) => [p.line, p.column])).toEqual([[2, 'forename']]);
    expect(pupils.problems[0]!.message).toMatch(/is longer than 100 characters$/);
    expect(pupils.problems[0]!.message.length).toBeLessThan(500);
    expect(await db.store.getPupil(SCHOOL, P4)).toBeNull();
    const contacts = await importContacts(
      db.store,
      input(`upn,name,relationship,email,phone,parental_responsibility,lives_with\n${P1},Sam,${'x'.repeat(60)},${'a'.repeat(250)}@example.org,,yes,yes\n`),
    );
    expect(contacts.problems.map((p) => [p.line, p.column])).toEqual([
      [2, 'relationship'],
      [2, 'email'],
    ]);
  });

  it('when a pupils file holds a NUL byte in a name, then the file is refused naming the line and column, not with a database error', async () => {
    const report = await importPupils(db.store, input(`upn,forename,surname,date_of_birth,year_group\n${P4},Ju\u0000les,Long,2012-01-15,8\n`));
    expect(report.applied).toBe(false);
    expect(report.problems).toEqual([{ line: 2, column: 'forename', value: 'Ju\\0les', message: 'contains a NUL character (the export is damaged)' }]);
  });

  it('when marks.csv is imported, then every mark is stored with codes as the national list writes them', async () => {
    const csv = 'upn,date,session,code\n' + `${P1},2025-01-06,AM,/\n${P1},2025-01-06,pm,\\\n${P1},2025-01-07,AM,c1\n${P1},2025-01-07,PM, O \n`;
    const report = await importMarks(db.store, input(csv));
    expect(report).toMatchObject({ applied: true, read: 4, inserted: 4, amended: 0, unchanged: 0, rejected: 0 });
    expect((await db.store.listMarks(SCHOOL, P1)).map((m) => `${m.date} ${m.session} ${m.code}`)).toEqual([
      '2025-01-06 AM /',
      '2025-01-06 PM \\',
      '2025-01-07 AM C1',
      '2025-01-07 PM O',
    ]);
  });

  it('when the same marks are imported again with one code changed, then it is idempotent and the change is an amendment', async () => {
    const csv = 'upn,date,session,code\n' + `${P1},2025-01-06,AM,/\n${P1},2025-01-06,PM,\\\n${P1},2025-01-07,AM,C1\n${P1},2025-01-07,PM,I\n`;
    const report = await importMarks(db.store, input(csv, 'medical evidence received'));
    expect(report).toMatchObject({ applied: true, inserted: 0, amended: 1, unchanged: 3 });
    expect(await db.store.listAmendments(SCHOOL, P1)).toMatchObject([
      { date: '2025-01-07', session: 'PM', originalCode: 'O', newCode: 'I', reason: 'medical evidence received', amendedBy: 'user:officer' },
    ]);
    expect((await importMarks(db.store, input(csv))).amended).toBe(0);
  });

  it('when rows are bad, then every bad row is reported with line, column and value, and nothing is imported', async () => {
    const csv =
      'upn,date,session,code\n' +
      `${P2},2025-01-08,AM,/\n` +
      `${P2},2025-02-30,AM,/\n` +
      `${P2},2025-01-08,EV,/\n` +
      `${P2},2025-01-09,AM,F\n` +
      `12345,2025-01-09,AM,/\n` +
      `${P2},2025-01-10,AM\n`;
    const report = await importMarks(db.store, input(csv));
    expect(report).toMatchObject({ applied: false, read: 6, rejected: 5 });
    expect(report.problems.map((p) => [p.line, p.column, p.value])).toEqual([
      [3, 'date', '2025-02-30'],
      [4, 'session', 'EV'],
      [5, 'code', 'F'],
      [6, 'upn', '12345'],
      [7, '', `${P2},2025-01-10,AM`],
    ]);
    expect(report.problems[2]!.message).toBe("code 'F' is not a national attendance code");
    expect(await db.store.listMarks(SCHOOL, P2)).toEqual([]);
  });

  it('when a mark names a pupil not on roll or a session marked twice differently, then the file is rejected', async () => {
    const csv = 'upn,date,session,code\n' + `${P2},2025-01-08,AM,/\nD999999999999,2025-01-08,AM,/\n${P2},2025-01-08,AM,O\n`;
    const report = await importMarks(db.store, input(csv));
    expect(report.applied).toBe(false);
    expect(report.problems.map((p) => [p.line, p.column])).toEqual([
      [3, 'upn'],
      [4, 'code'],
    ]);
    expect(await db.store.listMarks(SCHOOL, P2)).toEqual([]);
  });

  it('when rows the database cannot vouch for are good (lower case, spaces, a Cyrillic look-alike, an old date, columns in another order), then they are imported as the schema writes them', async () => {
    const csv = 'code,session,upn,date\n' + `/,AM,${P1},2024-12-02\n l ,pm, ${P1.toLowerCase()} , 2024-12-02\n\u0421 1,AM,${P1},2024-12-03\nС1,PM,${P1},2024-12-03\n#,AM,${P1},2009-12-25\n`;
    const report = await importMarks(db.store, input(csv));
    expect(report.problems).toEqual([{ line: 4, column: 'code', value: '\u0421 1', message: "code '\u0421 1' is not a national attendance code" }]);
    const fixed = csv.replace('\u0421 1', '\u0441');
    expect(await importMarks(db.store, input(fixed))).toMatchObject({ applied: true, read: 5, inserted: 5, rejected: 0 });
    expect((await db.store.listMarks(SCHOOL, P1, { to: '2024-12-31' })).map((m) => `${m.date} ${m.session} ${m.code}`)).toEqual([
      '2009-12-25 AM #',
      '2024-12-02 AM /',
      '2024-12-02 PM L',
      '2024-12-03 AM C',
      '2024-12-03 PM C1',
    ]);
  });

  it('when a pupil was stored with something other than a UPN, then a mark naming it is still refused by the schema', async () => {
    await db.store.upsertPupils(SCHOOL, [{ upn: 'Z1', forename: 'Zed', surname: 'Stored', dateOfBirth: '2012-01-01', yearGroup: '8', vulnerability: [], onRoll: true }]);
    const report = await importMarks(db.store, input('upn,date,session,code\nZ1,2024-12-02,AM,/\n'));
    expect(report.problems).toEqual([{ line: 2, column: 'upn', value: 'Z1', message: "upn 'Z1' is not a UPN (a letter, 11 digits, then a digit or letter)" }]);
  });

  it('when a bad row comes after many good ones, then the schema names it with its line', async () => {
    const good = ['AM', 'PM'].flatMap((session) => Array.from({ length: 28 }, (_, d) => `${P2},2024-10-${String(d + 1).padStart(2, '0')},${session},/`));
    const csv = `upn,date,session,code\n${good.join('\n')}\n${P2},2024-11-31,AM,/\n${P2},2024-11-01,AM, f \n`;
    const report = await importMarks(db.store, input(csv));
    expect(report).toMatchObject({ applied: false, read: 58, rejected: 2 });
    expect(report.problems).toEqual([
      { line: 58, column: 'date', value: '2024-11-31', message: "date '2024-11-31' is not a real date in the form YYYY-MM-DD (or DD/MM/YYYY)" },
      { line: 59, column: 'code', value: ' f ', message: "code ' f ' is not a national attendance code" },
    ]);
  });

  it('when a quoted field holds a line break, then that record and the rest are read as CSV and keep their line numbers', async () => {
    const csv = 'upn,date,session,code\n' + `${P2},2024-10-01,AM,/\n${P2},2024-10-01,PM,"O\nI"\n${P2},2024-10-02,AM,/\n${P2},2024-10-02,PM,Q9\n`;
    const report = await importMarks(db.store, input(csv));
    expect(report).toMatchObject({ applied: false, read: 4 });
    expect(report.problems.map((p) => [p.line, p.column, p.value])).toEqual([
      [4, 'code', 'O\nI'],
      [6, 'code', 'Q9'],
    ]);
  });

  it('when a re-import marks a session twice, once as the register has it and once differently, then it is rejected', async () => {
    const first = 'upn,date,session,code\n' + `${P1},2024-09-02,AM,/\n${P1},2024-09-02,PM,\\\n`;
    expect(await importMarks(db.store, input(first))).toMatchObject({ applied: true, inserted: 2 });
    const again = 'upn,date,session,code\n' + `${P1},2024-09-02,AM,/\n${P1},2024-09-02,AM,O\n${P1},2024-09-02,PM,\\\n${P1},2024-09-02,PM,\\\n`;
    const report = await importMarks(db.store, input(again));
    expect(report.applied).toBe(false);
    expect(report.problems).toEqual([{ line: 3, column: 'code', value: 'O', message: "the same session is marked '/' on line 2" }]);
  });

  it("when a school's first marks mark a session twice, then differing codes reject the file and a repeated line is one mark", async () => {
    await db.store.upsertSchool({ id: 'wcb', trustId: 'atlp', name: 'West Coventry B', workflowId: 'west-coventry', localAuthority: 'coventry' });
    const other = (text: string) => ({ ...input(text), schoolId: 'wcb' });
    expect((await importPupils(db.store, other(`upn,forename,surname,date_of_birth,year_group\n${P3},Cara,Smith,2012-05-30,R\n`))).applied).toBe(true);
    const conflicting = await importMarks(db.store, other('upn,date,session,code\n' + `${P3},2024-09-02,AM,/\n${P3},2024-09-02,AM,O\n`));
    expect(conflicting.problems).toEqual([{ line: 3, column: 'code', value: 'O', message: "the same session is marked '/' on line 2" }]);
    const repeated = 'upn,date,session,code\n' + `${P3},2024-09-02,AM,/\n${P3},2024-09-02,AM,/\n${P3},2024-09-02,PM,\\\n`;
    expect(await importMarks(db.store, other(repeated))).toMatchObject({ applied: true, read: 3, inserted: 2, unchanged: 0 });
  });

  it('when columns are missing, renamed or extra, then the header is reported and no row is read', async () => {
    const report = await importMarks(db.store, input(`upn,day,session,code,teacher\n${P2},2025-01-08,AM,/,x\n`));
    expect(report).toMatchObject({ applied: false, read: 0 });
    expect(report.problems.map((p) => p.message)).toEqual([
      "unexpected column 'day' (the columns are: upn, date, session, code)",
      "unexpected column 'teacher' (the columns are: upn, date, session, code)",
      "column 'date' is missing",
    ]);
  });

  it('when the file is not UTF-8, then the lines with bad bytes are named', async () => {
    const latin1 = Buffer.concat([Buffer.from(`upn,forename,surname,date_of_birth,year_group\n${P2},Zo`), Buffer.from([0xeb]), Buffer.from(',Brown,2012-01-01,8\n')]);
    const report = await importPupils(db.store, input(latin1));
    expect(report.applied).toBe(false);
    expect(report.problems).toMatchObject([{ line: 2, column: 'forename', message: 'is not valid UTF-8 (save the export as UTF-8)' }]);
  });

  it('when a file is empty, then it says a header was expected', async () => {
    expect((await importMarks(db.store, input(''))).problems[0]!.message).toBe('the file is empty (expected a header row)');
  });

  it('when thousands of rows are bad, then the report lists the first ones and counts them all', async () => {
    const rows = Array.from({ length: 2500 }, (_, i) => `${P2},2025-01-08,AM,BAD${i}`).join('\n');
    const report = await importMarks(db.store, input(`upn,date,session,code\n${rows}\n`));
    expect(report.rejected).toBe(2500);
    expect(report.problems).toHaveLength(PROBLEM_LIMIT);
  });

  it('when the source fails part-way through a large file, then nothing of it is imported', async () => {
    async function* broken() {
      yield Buffer.from('upn,date,session,code\n');
      for (let i = 0; i < 20; i++) {
        const day = `2024-11-${String(4 + (i % 5)).padStart(2, '0')}`;
        yield Buffer.from(Array.from({ length: 1000 }, () => `${P3},${day},AM,/\n`).join(''));
      }
      throw new Error('disk read error');
    }
    await expect(importMarks(db.store, { ...input(''), source: Readable.from(broken()) })).rejects.toThrow('disk read error');
    expect(await db.store.listMarks(SCHOOL, P3)).toEqual([]);
  });

  it('when metrics --json runs on an imported register, then it gives the numbers of the pure functions', async () => {
    const days = ['2025-01-13', '2025-01-14', '2025-01-15', '2025-01-16', '2025-01-17'];
    const codes = ['/', '\\', 'O', 'O', 'I', 'I', '/', 'L', 'G', 'X'];
    const lines = days.flatMap((d, i) => [`${P2},${d},AM,${codes[i * 2]}`, `${P2},${d},PM,${codes[i * 2 + 1]}`]);
    expect((await importMarks(db.store, input(`upn,date,session,code\n${lines.join('\n')}\n`))).applied).toBe(true);

    const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'metrics', '--school', SCHOOL, '--as-of', '2025-01-17', '--json'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' },
    });
    const fromCli = JSON.parse(stdout) as { upn: string }[];
    const workflow = getWorkflow('west-coventry');
    const calendar = calendarFor(workflow, 'coventry');
    for (const upn of [P1, P2, P3]) {
      const expected = computeMetrics({
        marks: await db.store.listMarks(SCHOOL, upn),
        calendar,
        asOf: '2025-01-17',
        bands: workflow.policy.bands,
      });
      expect(fromCli.find((row) => row.upn === upn)).toEqual({
        upn,
        possibleSessions: expected.possibleSessions,
        presentSessions: expected.presentSessions,
        authorisedSessions: expected.authorisedSessions,
        unauthorisedSessions: expected.unauthorisedSessions,
        attendancePct: expected.attendancePct,
        band: expected.band,
        persistentAbsence: expected.persistentAbsence,
        severeAbsence: expected.severeAbsence,
        unauthorisedInRolling10Weeks: expected.unauthorisedInRolling10Weeks,
        nationalThresholdMet: expected.nationalThresholdMet,
      });
    }
    const p2 = fromCli.find((row) => row.upn === P2) as unknown as Record<string, unknown>;
    expect(p2).toMatchObject({ possibleSessions: 9, presentSessions: 4, unauthorisedSessions: 3, authorisedSessions: 2 });
  });

  it('when the import CLI is given a file, then it imports it and prints the summary', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'import-cli-'));
    const file = path.join(dir, 'marks.csv');
    await writeFile(file, `upn,date,session,code\n${P3},2025-01-20,AM,/\n${P3},2025-01-20,PM,N\n`);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'import', 'marks', file, '--school', SCHOOL], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' },
    });
    expect(stdout).toContain('marks: imported');
    expect(stdout).toContain('rows read 2, inserted 2, amended 0, unchanged 0, rejected 0');
    await writeFile(file, `upn,date,session,code\n${P3},2025-01-21,AM,Q9\n`);
    const failed = await run(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'import', 'marks', file, '--school', SCHOOL], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' },
    }).catch((error: { code: number; stdout: string }) => error);
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stdout: string }).stdout).toContain("line 2, code: code 'Q9' is not a national attendance code");
  });
});
