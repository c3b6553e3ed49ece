import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { PostgresBackend } from '@agendajs/postgres-backend';
import { openTestPostgres } from '../support/postgres.ts';
import { importRegister, schoolWithPupil } from '../support/register.ts';
import { importPupils } from '../../src/register/import-register.ts';
import { Readable } from 'node:stream';
import { ManualClock, systemClock } from '../../src/clock.ts';
import { createLogger } from '../../src/logger.ts';
import { createCaseService } from '../../src/cases/case-service.ts';
import { evaluateSchool } from '../../src/cases/evaluate-school.ts';
import { calendarFor, getWorkflow } from '../../workflows/index.ts';
import { startOfLondonDate } from '../../src/domain/london-time.ts';
import { createOutboxDispatcher } from '../../src/jobs/outbox-dispatcher.ts';
import { coreEffectHandlers } from '../../src/jobs/effect-handlers.ts';
import { startWorker, type Worker } from '../../src/jobs/agenda.ts';
import { JOB, workerJobs } from '../../src/jobs/worker-jobs.ts';
import type { OpenedPostgres } from '../../src/store/postgres/open.ts';

const logger = createLogger(process.env.TEST_LOG ?? 'silent');
const SCHOOL = { id: 'wca', workflowId: 'west-coventry', localAuthority: 'coventry' };
const PUPILS = 40;
const upn = (i: number) => `A3314001120${String(i).padStart(2, '0')}`;

describe('two workers on one database', () => {
  let db: OpenedPostgres;
  const workers: Worker[] = [];
  const clock = new ManualClock(new Date('2024-10-14T17:00:00Z'));

  beforeAll(async () => {
    db = await openTestPostgres();
    await schoolWithPupil(db.store, SCHOOL, upn(0));
    const rows = Array.from({ length: PUPILS - 1 }, (_, i) => `${upn(i + 1)},Pat,Number${i + 1},2011-01-01,9`).join('\n');
    await importPupils(db.store, { schoolId: SCHOOL.id, source: Readable.from([Buffer.from(`upn,forename,surname,date_of_birth,year_group\n${rows}\n`)]), actor: 'test', reason: 'test', at: new Date() });
    const calendar = calendarFor(getWorkflow(SCHOOL.workflowId), SCHOOL.localAuthority);
    for (let i = 0; i < PUPILS; i++) {
      // 93% at the first review, falling by the second: every case escalates when its timer fires.
      await importRegister(db.store, SCHOOL.id, upn(i), calendar, '2024-09-03', '2024-11-15', {
        '2024-10-07 AM': 'O',
        '2024-10-07 PM': 'O',
        '2024-10-08 AM': 'O',
        '2024-10-08 PM': 'O',
        '2024-11-12 AM': 'O',
        '2024-11-12 PM': 'O',
        '2024-11-13 AM': 'O',
        '2024-11-13 PM': 'O',
      });
    }
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await db?.close();
  });

  it('when both work the same due timers and outbox, then every timer fires once and every effect runs once', async () => {
    const cases = createCaseService({ store: db.store, clock, logger });
    expect((await evaluateSchool({ store: db.store, clock, logger }, SCHOOL.id, '2024-10-14')).opened).toBe(PUPILS);
    const runs = new Map<string, number>();
    for (let n = 0; n < 2; n++) {
      const core = coreEffectHandlers({ store: db.store, clock, logger });
      const dispatcher = createOutboxDispatcher({
        store: db.store,
        clock: systemClock,
        logger,
        handlers: {
          ...core,
          // Count executions of every effect, across both workers.
          sendLetter: async (effect) => void runs.set(effect.id, (runs.get(effect.id) ?? 0) + 1),
          createTask: async (effect) => {
            runs.set(effect.id, (runs.get(effect.id) ?? 0) + 1);
            await core.createTask!(effect);
          },
        },
      });
      workers.push(
        await startWorker({
          backend: new PostgresBackend({ pool: db.store.pool, ensureSchema: false }),
          logger,
          jobs: workerJobs({ store: db.store, cases, dispatcher, clock, logger }),
          processEvery: 100,
        }),
      );
    }
    // The opening's effects run first: a stage's tasks not yet made when its case moves on are
    // withdrawn (rightly), and whether the sweep or the dispatcher got there first is not what this counts.
    await Promise.all(workers.map((worker) => worker.kick(JOB.dispatchOutbox)));
    await expect.poll(async () => (await db.store.listEffects({ status: 'pending' })).length, { timeout: 30_000, interval: 200 }).toBe(0);
    await expect.poll(async () => (await db.store.listEffects({ status: 'running' })).length, { timeout: 30_000, interval: 200 }).toBe(0);
    clock.set(new Date(startOfLondonDate('2024-11-18').getTime() + 7 * 3_600_000));
    await Promise.all(workers.flatMap((worker) => [worker.kick(JOB.fireTimers), worker.kick(JOB.dispatchOutbox)]));
    await expect
      .poll(async () => (await db.store.listCases({ schoolIds: [SCHOOL.id], state: 'open.stage1b', limit: 1000 })).total, { timeout: 30_000, interval: 200 })
      .toBe(PUPILS);
    await Promise.all(workers.map((worker) => worker.kick(JOB.dispatchOutbox)));
    await expect.poll(async () => (await db.store.listEffects({ status: 'pending' })).length, { timeout: 30_000, interval: 200 }).toBe(0);
    await expect.poll(async () => (await db.store.listEffects({ status: 'running' })).length, { timeout: 30_000, interval: 200 }).toBe(0);

    for (const record of (await db.store.listCases({ schoolIds: [SCHOOL.id], limit: 1000 })).cases) {
      const timeline = await db.store.listTimeline(record.id);
      expect(timeline.map((t) => (t.evidence as { event: string }).event)).toEqual(['OPEN', 'REVIEW_DUE']);
      expect(record.version).toBe(2);
    }
    const all = await db.store.listEffects({});
    // Letter B waits for a person (the approval gate); everything else has run.
    expect(all.filter((effect) => effect.status === 'held').map((effect) => (effect.payload as { template: string }).template)).toEqual(
      Array.from({ length: PUPILS }, () => 'west-coventry/letter-b'),
    );
    const effects = all.filter((effect) => effect.status !== 'held');
    expect(effects.every((effect) => effect.status === 'done')).toBe(true);
    expect(runs.size).toBe(effects.length);
    expect([...runs.values()].filter((n) => n !== 1)).toEqual([]);
    // One task per createTask effect (hygiene tasks, such as a pupil with no parent on record, come besides).
    const taskEffects = effects.filter((e) => e.kind === 'createTask').map((e) => e.id);
    const tasks = new Set((await db.store.listTasks({ schoolIds: [SCHOOL.id] })).map((task) => task.id));
    expect(taskEffects.filter((id) => !tasks.has(id))).toEqual([]);
  });
});
