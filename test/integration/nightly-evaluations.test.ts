// The nightly evaluation reads the schools at each run: one set up after the worker started is
// evaluated that evening, an archived one is not, and nothing runs before the policy's time.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { PostgresBackend } from '@agendajs/postgres-backend';
import { openTestPostgres } from '../support/postgres.ts';
import { schoolWithPupil } from '../support/register.ts';
import { ManualClock, systemClock } from '../../src/clock.ts';
import { createLogger } from '../../src/logger.ts';
import { createCaseService } from '../../src/cases/case-service.ts';
import { createOutboxDispatcher } from '../../src/jobs/outbox-dispatcher.ts';
import { coreEffectHandlers } from '../../src/jobs/effect-handlers.ts';
import { startWorker, type Worker } from '../../src/jobs/agenda.ts';
import { JOB, workerJobs } from '../../src/jobs/worker-jobs.ts';
import { archiveSchool } from '../../src/organisation/organisation-service.ts';
import type { OpenedPostgres } from '../../src/store/postgres/open.ts';

const logger = createLogger(process.env.TEST_LOG ?? 'silent');

describe('the nightly evaluations', () => {
  let db: OpenedPostgres;
  let worker: Worker;
  // Monday 14 October 2024, 08:00 in London: before any policy's evening run.
  const clock = new ManualClock(new Date('2024-10-14T07:00:00Z'));
  const evaluated = async (id: string) => db.store.getSetting(`evaluated:${id}`);

  beforeAll(async () => {
    db = await openTestPostgres();
    await schoolWithPupil(db.store, { id: 'early', workflowId: 'national', localAuthority: 'coventry' }, 'A331400112001');
    const cases = createCaseService({ store: db.store, clock, logger });
    const dispatcher = createOutboxDispatcher({ store: db.store, clock: systemClock, logger, handlers: coreEffectHandlers({ store: db.store, clock, logger }) });
    worker = await startWorker({ backend: new PostgresBackend({ pool: db.store.pool, ensureSchema: false }), logger, jobs: workerJobs({ store: db.store, cases, dispatcher, clock, logger }), processEvery: 100 });
  });
  afterAll(async () => {
    await worker?.stop();
    await db?.close();
  });

  it('when schools are set up and archived after the worker started, then the evening run evaluates the new one and leaves the archived one', async () => {
    await worker.kick(JOB.nightlyEvaluations);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await evaluated('early')).toBeNull();

    await schoolWithPupil(db.store, { id: 'later', workflowId: 'national', localAuthority: 'coventry' }, 'A331400112002');
    await schoolWithPupil(db.store, { id: 'closed', workflowId: 'national', localAuthority: 'coventry' }, 'A331400112003');
    await archiveSchool({ store: db.store, audit: async () => {}, now: () => new Date() }, { role: 'admin', trustId: null }, 'closed', true);
    // 18:05 in London: past the national defaults' 18:00.
    clock.set(new Date('2024-10-14T17:05:00Z'));
    await worker.kick(JOB.nightlyEvaluations);
    await expect.poll(() => evaluated('later'), { timeout: 15_000, interval: 100 }).toBe('2024-10-14');
    expect(await evaluated('early')).toBe('2024-10-14');
    expect(await evaluated('closed')).toBeNull();
  });
});
