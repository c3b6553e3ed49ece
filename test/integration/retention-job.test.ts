// The worker's daily retention job through real Agenda on the real store: kicked, it purges what is past its period.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { PostgresBackend } from '@agendajs/postgres-backend';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openTestPostgres } from '../support/postgres.ts';
import { ManualClock, systemClock } from '../../src/clock.ts';
import { createLogger } from '../../src/logger.ts';
import { createCaseService } from '../../src/cases/case-service.ts';
import { createOutboxDispatcher } from '../../src/jobs/outbox-dispatcher.ts';
import { startWorker, type Worker } from '../../src/jobs/agenda.ts';
import { JOB, workerJobs } from '../../src/jobs/worker-jobs.ts';
import { loadConfig } from '../../src/config.ts';
import { retentionRules } from '../../src/retention/policy.ts';
import type { OpenedPostgres } from '../../src/store/postgres/open.ts';

const logger = createLogger(process.env.TEST_LOG ?? 'silent');

describe('the daily retention job', () => {
  let db: OpenedPostgres;
  let worker: Worker;
  const longAgo = new Date(Date.now() - 8 * 365 * 86_400_000);

  beforeAll(async () => {
    db = await openTestPostgres();
    const { store } = db;
    await store.upsertTrust({ id: 'rt', name: 'Retention Trust' });
    await store.upsertSchool({ id: 'rs', trustId: 'rt', name: 'Retention School', workflowId: 'west-coventry', localAuthority: 'coventry' });
    await store.upsertPupils('rs', ['P1', 'P2'].map((upn) => ({ upn, forename: 'Sam', surname: 'Oak', dateOfBirth: '2012-01-01', yearGroup: '8', vulnerability: [], onRoll: true })));
    for (const [id, upn] of [['closed-old', 'P1'], ['open-old', 'P2']] as const) {
      await store.createCase(
        { id, schoolId: 'rs', upn, workflowId: 'west-coventry', machineId: 'west-coventry', machineVersion: 1, state: 'stage1a', status: 'open', snapshot: { value: 'stage1a' }, openedAt: longAgo },
        { timeline: [], effects: [] },
      );
    }
    await store.commitTransition({ caseId: 'closed-old', expectedVersion: 1, state: 'closed', status: 'closed', snapshot: { value: 'closed' }, timeline: [], effects: [], at: longAgo });
    const clock = new ManualClock(new Date());
    const cases = createCaseService({ store, clock, logger });
    const dispatcher = createOutboxDispatcher({ store, clock: systemClock, logger, handlers: {} });
    const dataDir = await mkdtemp(path.join(tmpdir(), 'retention-job-'));
    worker = await startWorker({
      backend: new PostgresBackend({ pool: store.pool, ensureSchema: false }),
      logger,
      jobs: workerJobs({ store, cases, dispatcher, clock, logger, retention: { rules: retentionRules(loadConfig({})), dataDir } }),
      processEvery: 100,
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await db?.close();
  });

  it('when the job runs, then a case closed longer than the period goes, an open one stays, and the run is audited as the system', async () => {
    await worker.kick(JOB.retention);
    await expect.poll(async () => db.store.getCase('closed-old'), { timeout: 15_000, interval: 100 }).toBeNull();
    expect((await db.store.getCase('open-old'))?.status).toBe('open');
    await expect
      .poll(async () => (await db.store.listAudit({ actor: 'system:retention', limit: 10 })).entries.map((e) => e.detail), { timeout: 15_000, interval: 100 })
      .toContainEqual(expect.objectContaining({ kind: 'cases', removed: 1 }));
  });
});
