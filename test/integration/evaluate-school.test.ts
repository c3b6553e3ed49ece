import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Readable } from 'node:stream';
import { openTestPostgres } from '../support/postgres.ts';
import { importRegister } from '../support/register.ts';
import { ManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/logger.ts';
import { evaluateSchool } from '../../src/cases/evaluate-school.ts';
import { calendarFor, getWorkflow } from '../../workflows/index.ts';
import { importPupils } from '../../src/register/import-register.ts';
import { createCaseService } from '../../src/cases/case-service.ts';
import type { Store } from '../../src/store/types.ts';
import type { OpenedPostgres } from '../../src/store/postgres/open.ts';

const SCHOOL = { id: 'wca', trustId: 'trust', name: 'West Coventry Academy', workflowId: 'west-coventry', localAuthority: 'coventry' };
const calendar = calendarFor(getWorkflow(SCHOOL.workflowId), SCHOOL.localAuthority);
const RACED = { ...SCHOOL, id: 'wca-raced' };
const [CONCERN, N_CODE, WELL] = ['A331400112101', 'A331400112102', 'A331400112103'];

describe('a school evaluated night after night', () => {
  let db: OpenedPostgres;
  const clock = new ManualClock(new Date('2024-10-14T17:00:00Z'));
  const evaluate = (asOf: string) => evaluateSchool({ store: db.store, clock, logger: createLogger('silent') }, SCHOOL.id, asOf);
  const register = async (to: string) => {
    await importRegister(db.store, SCHOOL.id, CONCERN, calendar, '2024-09-03', to, { '2024-10-07 AM': 'O', '2024-10-07 PM': 'O', '2024-10-08 AM': 'O', '2024-10-08 PM': 'O' });
    await importRegister(db.store, SCHOOL.id, N_CODE, calendar, '2024-09-03', to, { '2024-10-09 AM': 'N' });
    await importRegister(db.store, SCHOOL.id, WELL, calendar, '2024-09-03', to, {});
  };

  beforeAll(async () => {
    db = await openTestPostgres();
    await db.store.upsertTrust({ id: 'trust', name: 'Trust' });
    await db.store.upsertSchool(SCHOOL);
    await db.store.upsertSchool(RACED);
    const rows = [CONCERN, N_CODE, WELL].map((upn, i) => `${upn},Pupil,${i},2011-05-01,9,yes`).join('\n');
    const source = Readable.from([Buffer.from(`upn,forename,surname,date_of_birth,year_group,on_roll\n${rows}\n`)]);
    expect((await importPupils(db.store, { schoolId: SCHOOL.id, source, actor: 'test', reason: 'test', at: new Date() })).applied).toBe(true);
    const raced = Readable.from([Buffer.from(`upn,forename,surname,date_of_birth,year_group,on_roll\n${rows}\n`)]);
    expect((await importPupils(db.store, { schoolId: RACED.id, source: raced, actor: 'test', reason: 'test', at: new Date() })).applied).toBe(true);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('when the weekly review day comes, then every pupil is measured and the one in concern gets a case', async () => {
    await register('2024-10-14');
    expect(await evaluate('2024-10-14')).toMatchObject({ reviewDay: true, pupils: 3, measured: 3, opened: 1 });
  });

  it('when a day without a review comes and no pupil without a case is absent that day or has a G, O or U lately, then only the open case is measured and nothing is raised for the rest', async () => {
    await register('2024-10-15');
    expect(await evaluate('2024-10-15')).toMatchObject({ reviewDay: false, pupils: 3, measured: 1, opened: 0, hygieneTasks: 0 });
  });

  it('when an N passes 5 school days on a day without a review, then the pupil with no case still gets the task for it', async () => {
    await register('2024-10-16');
    expect(await evaluate('2024-10-16')).toMatchObject({ reviewDay: false, measured: 1, hygieneTasks: 1 });
    const tasks = await db.store.listTasks({ schoolIds: [SCHOOL.id], status: 'open' });
    expect(tasks.filter((task) => task.kind === 'register-chores').map((task) => [task.id, task.caseId, task.title])).toEqual([
      ['chores:register:wca:2024-10-16', null, expect.stringContaining('for Pupil 1 (one session from Wednesday 9 October 2024 morning)')],
    ]);
  });

  it('when another writer opens a case while the evaluation is deciding, then the page is decided again and the pupil still has one case', async () => {
    await importRegister(db.store, RACED.id, CONCERN, calendar, '2024-09-03', '2024-10-14', { '2024-10-07 AM': 'O', '2024-10-07 PM': 'O', '2024-10-08 AM': 'O', '2024-10-08 PM': 'O' });
    const cases = createCaseService({ store: db.store, clock, logger: createLogger('silent') });
    let raced = false;
    // The real store, except that just before the evaluation's first write a staff member opens
    // the same pupil's case: the race two workers, or a worker and a person, can run.
    const racing = new Proxy(db.store, {
      get(target, name, receiver) {
        if (name !== 'writeCaseBatch') return Reflect.get(target, name, receiver) as unknown;
        return async (batch: Parameters<Store['writeCaseBatch']>[0]) => {
          if (!raced) {
            raced = true;
            await cases.open(RACED.id, CONCERN, { type: 'OPEN', at: '2024-10-14', evidence: { rule: 'opened by staff', attendancePct: null } }, 'user:staff');
          }
          return target.writeCaseBatch(batch);
        };
      },
    });
    const summary = await evaluateSchool({ store: racing, clock, logger: createLogger('silent') }, RACED.id, '2024-10-14');
    expect(raced).toBe(true);
    expect(summary).toMatchObject({ pupils: 3, opened: 0 });
    const { cases: stored } = await db.store.listCases({ schoolIds: [RACED.id], limit: 10 });
    expect(stored.map((record) => [record.upn, record.status])).toEqual([[CONCERN, 'open']]);
    expect((await db.store.listTimeline(stored[0]!.id)).map((entry) => entry.actor)).toEqual(['user:staff']);
  });
});
