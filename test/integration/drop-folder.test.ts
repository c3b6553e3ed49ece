// The drop folder: files a school's MIS leaves in REGISTER_DROP_DIR/<school>/ are imported once, even with two workers looking.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openTestPostgres } from '../support/postgres.ts';
import { ManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/logger.ts';
import { kindOfName, startDropFolder, type DropFolder } from '../../src/jobs/drop-folder.ts';
import { DROP_TASK_KIND } from '../../src/register/register-feed.ts';
import type { OpenedPostgres } from '../../src/store/postgres/open.ts';

const UPN = 'A331400112001';
const SCHOOL = 'drop-school';

describe('the drop folder', () => {
  let db: OpenedPostgres;
  let dir: string;
  let workers: DropFolder[] = [];
  const clock = new ManualClock(new Date('2024-10-14T09:00:00Z'));
  const folder = () => path.join(dir, SCHOOL);
  const list = async (sub: string) => (await readdir(path.join(folder(), sub)).catch(() => [] as string[])).sort();
  const until = async (done: () => Promise<boolean>, ms = 20_000) => {
    const end = Date.now() + ms;
    while (!(await done())) {
      if (Date.now() > end) throw new Error('timed out waiting for the drop folder');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  beforeAll(async () => {
    db = await openTestPostgres();
    dir = await mkdtemp(path.join(tmpdir(), 'drop-'));
    await db.store.upsertTrust({ id: 'drop-trust', name: 'Drop Trust' });
    await db.store.upsertSchool({ id: SCHOOL, trustId: 'drop-trust', name: 'Drop School', workflowId: 'west-coventry', localAuthority: 'coventry' });
    await db.store.upsertPupils(SCHOOL, [{ upn: UPN, forename: 'Sam', surname: 'Taylor', dateOfBirth: '2011-05-01', yearGroup: '9', vulnerability: [], onRoll: true }]);
    const deps = { store: db.store, clock, logger: createLogger('silent'), dir, pollMs: 40 };
    const beat = (id: string) => db.store.beatWorker({ id, host: 'test', pid: 1, startedAt: new Date(), beatAt: new Date() });
    await beat('worker-a');
    await beat('worker-b');
    // Two workers over the same folders and the same database.
    workers = [startDropFolder({ ...deps, workerId: 'worker-a' }), startDropFolder({ ...deps, workerId: 'worker-b' })];
  });

  afterAll(async () => {
    for (const worker of workers) await worker.stop();
    await db?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('when a file is named for pupils, contacts or marks, then that is its kind; otherwise its header tells', () => {
    expect(kindOfName('SIMS Pupils 2024-10-14.csv')).toBe('pupils');
    expect(kindOfName('parent-contacts.csv')).toBe('contacts');
    expect(kindOfName('AttendanceMarks.csv')).toBe('marks');
    expect(kindOfName('export.csv')).toBeNull();
    expect(kindOfName('student attendance.csv')).toBeNull();
  });

  it('when a good marks file is written into the folder, then both workers together import it once and it lands in done/ with its report', async () => {
    await until(async () => (await list('.')).includes('processing'));
    const name = 'nightly-export.csv';
    // Written in two parts, as an export is; a file is taken only once two looks find it unchanged.
    await writeFile(path.join(folder(), name), 'UPN,Date,Session Name,Mark,Reg Group\n');
    await appendFile(path.join(folder(), name), `${UPN},2024-10-07,AM,/,9T\n${UPN},2024-10-07,PM,N,9T\n`);
    await until(async () => (await list('done')).length === 2);
    expect(await list('done')).toEqual([name, `${name}.report.txt`]);
    expect(await list('processing')).toEqual([]);
    expect(await list('failed')).toEqual([]);
    const report = await readFile(path.join(folder(), 'done', `${name}.report.txt`), 'utf8');
    expect(report).toContain('marks: imported');
    expect(report).toContain('rows read 2, inserted 2');
    expect(report).toMatch(/the school was evaluated as of 2024-10-14/);
    expect((await db.store.listMarks(SCHOOL, UPN)).map((m) => `${m.date} ${m.session} ${m.code}`)).toEqual(['2024-10-07 AM /', '2024-10-07 PM N']);
    expect(workers.reduce((sum, worker) => sum + worker.totals().imported, 0)).toBe(1);
  });

  it('when a bad file is dropped, then nothing of it is imported, it lands in failed/ with its report, and the school has a task', async () => {
    const name = 'attendance marks.csv';
    await writeFile(path.join(folder(), name), `upn,date,session,code\n${UPN},2024-10-08,AM,/\n${UPN},2024-10-08,XX,/\n`);
    await until(async () => (await list('failed')).length === 2);
    expect(await list('failed')).toEqual([name, `${name}.report.txt`]);
    const report = await readFile(path.join(folder(), 'failed', `${name}.report.txt`), 'utf8');
    expect(report).toContain('marks: REJECTED, nothing was imported');
    expect(report).toContain("line 3, session: session 'XX' must be AM or PM");
    expect((await db.store.listMarks(SCHOOL, UPN)).some((m) => m.date === '2024-10-08')).toBe(false);
    const tasks = (await db.store.listTasks({ schoolIds: [SCHOOL], status: 'open' })).filter((task) => task.kind === DROP_TASK_KIND);
    expect(tasks).toEqual([expect.objectContaining({ caseId: null, dueDate: '2024-10-14', title: expect.stringContaining(`“${name}”`) })]);
    expect(tasks[0]!.title).toContain('1 rows have problems');
    expect(workers.reduce((sum, worker) => sum + worker.totals().failed, 0)).toBe(1);
  });

  it('when a worker died mid-import, then its file in processing/ is put back once its lease is gone, and imported', async () => {
    const name = 'pupils-marks-attendance.csv';
    await writeFile(path.join(folder(), 'processing', `worker-gone~0123abcd~${name}`), `upn,date,session,code\n${UPN},2024-10-10,AM,/\n`);
    await writeFile(path.join(folder(), 'processing', `worker-a~0123abcd~held.csv`), 'upn,date,session,code\n');
    await until(async () => (await list('done')).includes(name));
    expect((await db.store.listMarks(SCHOOL, UPN)).some((m) => m.date === '2024-10-10')).toBe(true);
    // A live worker's claim is left alone.
    expect(await list('processing')).toEqual(['worker-a~0123abcd~held.csv']);
    await rm(path.join(folder(), 'processing', 'worker-a~0123abcd~held.csv'));
  });

  it('when a file with the same name comes again, then the earlier one in done/ is kept and the new one is put beside it', async () => {
    const name = 'nightly-export.csv';
    await writeFile(path.join(folder(), name), `UPN,Date,Session Name,Mark\n${UPN},2024-10-09,AM,/\n`);
    await until(async () => (await list('done')).length === 6);
    const done = await list('done');
    expect(done).toContain(name);
    expect(done.filter((file) => file.startsWith('nightly-export-') && file.endsWith('.csv'))).toHaveLength(1);
  });
});
