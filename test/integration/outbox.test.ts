import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { PostgresBackend } from '@agendajs/postgres-backend';
import { openTestPostgres } from '../support/postgres.ts';
import { caseWithEffects } from '../support/fixtures.ts';
import { ManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/logger.ts';
import { createOutboxDispatcher } from '../../src/jobs/outbox-dispatcher.ts';
import { PermanentEffectError, type EffectHandler } from '../../src/cases/effect-handler.ts';
import { startWorker } from '../../src/jobs/agenda.ts';
import type { OpenedPostgres } from '../../src/store/postgres/open.ts';

const logger = createLogger('silent');

describe('outbox dispatcher on PostgreSQL', () => {
  let db: OpenedPostgres;
  beforeAll(async () => {
    db = await openTestPostgres();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('when a handler fails transiently, then the effect is retried with doubling delays and done once it succeeds', async () => {
    const clock = new ManualClock(new Date('2025-01-10T09:00:00Z'));
    const { caseId } = await caseWithEffects(db.store, [{ id: 'flaky-1', kind: 'flaky', payload: {} }], clock.now());
    let calls = 0;
    const flaky: EffectHandler = async () => {
      calls += 1;
      if (calls <= 2) throw new Error(`connection refused (${calls})`);
    };
    const dispatcher = createOutboxDispatcher({ store: db.store, clock, logger, handlers: { flaky }, baseDelayMs: 1000 });

    expect(await dispatcher.drain()).toMatchObject({ claimed: 1, retried: 1 });
    expect(await db.store.getEffect('flaky-1')).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'connection refused (1)',
      nextAttemptAt: new Date('2025-01-10T09:00:01Z'),
    });
    expect((await dispatcher.drain()).claimed).toBe(0);
    clock.advance(1000);
    await dispatcher.drain();
    expect((await db.store.getEffect('flaky-1'))!.nextAttemptAt).toEqual(new Date('2025-01-10T09:00:03Z'));
    clock.advance(2000);
    expect(await dispatcher.drain()).toMatchObject({ done: 1 });
    expect(await db.store.getEffect('flaky-1')).toMatchObject({ status: 'done', attempts: 3, lastError: null });
    expect(calls).toBe(3);
    expect(await db.store.listTimeline(caseId)).toEqual([]);
  });

  it('when the dispatcher is stopped in the middle of a batch, then it finishes the effect in hand and runs no other', async () => {
    const clock = new ManualClock(new Date('2025-01-10T09:00:00Z'));
    const ids = Array.from({ length: 6 }, (_, i) => `stop-${i}`);
    await caseWithEffects(db.store, ids.map((id) => ({ id, kind: 'slow', payload: {} })), clock.now());
    const ran: string[] = [];
    const dispatcher = createOutboxDispatcher({
      store: db.store,
      clock,
      logger,
      handlers: {
        slow: async (effect) => {
          ran.push(effect.id);
          // SIGTERM arrives while the second letter is being sent.
          if (ran.length === 2) dispatcher.stop();
        },
      },
    });
    const summary = await dispatcher.drain();
    expect(summary).toMatchObject({ claimed: 6, done: 2 });
    expect(ran).toHaveLength(2);
    expect((await Promise.all(ids.map((id) => db.store.getEffect(id)))).filter((e) => e!.status === 'done')).toHaveLength(2);
    expect(await dispatcher.drain()).toMatchObject({ claimed: 0 });
  });

  it('when a handler fails permanently, then the effect fails at once and the case timeline says why', async () => {
    const clock = new ManualClock(new Date('2025-01-10T09:00:00Z'));
    const { caseId } = await caseWithEffects(db.store, [{ id: 'bad-1', kind: 'bounce', payload: {} }], clock.now());
    const bounce: EffectHandler = async () => {
      throw new PermanentEffectError('550 mailbox unavailable');
    };
    const dispatcher = createOutboxDispatcher({ store: db.store, clock, logger, handlers: { bounce } });
    expect(await dispatcher.drain()).toMatchObject({ failed: 1 });
    expect(await db.store.getEffect('bad-1')).toMatchObject({ status: 'failed', lastError: '550 mailbox unavailable' });
    expect(await db.store.listTimeline(caseId)).toMatchObject([
      { type: 'effect.failed', actor: 'system:outbox', evidence: { effectId: 'bad-1', kind: 'bounce', error: '550 mailbox unavailable' } },
    ]);
    expect(await db.store.listTasks({ caseId })).toMatchObject([
      { kind: 'effect-failed', title: 'bounce could not be completed: 550 mailbox unavailable', dueDate: '2025-01-10', status: 'open' },
    ]);
  });

  it('when the attempts run out, then the effect fails instead of retrying for ever', async () => {
    const clock = new ManualClock(new Date('2025-01-10T09:00:00Z'));
    await caseWithEffects(db.store, [{ id: 'never-1', kind: 'never', payload: {} }], clock.now());
    const never: EffectHandler = async () => {
      throw new Error('timeout');
    };
    const dispatcher = createOutboxDispatcher({ store: db.store, clock, logger, handlers: { never }, maxAttempts: 3, baseDelayMs: 10 });
    for (let i = 0; i < 5; i++) {
      await dispatcher.drain();
      clock.advance(1000);
    }
    expect(await db.store.getEffect('never-1')).toMatchObject({ status: 'failed', attempts: 3 });
  });

  it('when no handler exists for a kind yet, then the effect is parked with the reason, not lost', async () => {
    const clock = new ManualClock(new Date('2025-01-10T09:00:00Z'));
    await caseWithEffects(db.store, [{ id: 'email-1', kind: 'sendEmail', payload: {} }], clock.now());
    const dispatcher = createOutboxDispatcher({ store: db.store, clock, logger, handlers: {} });
    expect(await dispatcher.drain()).toMatchObject({ parked: 1 });
    expect(await db.store.getEffect('email-1')).toMatchObject({ status: 'waiting', lastError: "no handler for 'sendEmail' in this version" });
  });

  it('when two dispatchers drain the same outbox at once, then every effect runs exactly once', async () => {
    const clock = new ManualClock(new Date('2025-01-10T09:00:00Z'));
    const effects = Array.from({ length: 60 }, (_, i) => ({ id: `count-${i}`, kind: 'count', payload: { i } }));
    await caseWithEffects(db.store, effects, clock.now());
    const runs = new Map<string, number>();
    const count: EffectHandler = async (effect) => {
      runs.set(effect.id, (runs.get(effect.id) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 1));
    };
    const make = () => createOutboxDispatcher({ store: db.store, clock, logger, handlers: { count }, batchSize: 7 });
    await Promise.all([make().drain(), make().drain()]);
    expect(runs.size).toBe(60);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
  });

  it('when the Agenda worker runs, then it dispatches on a kick and stops gracefully', async () => {
    const { caseId } = await caseWithEffects(db.store, [{ id: 'agenda-log-1', kind: 'log', payload: { hello: 'world' } }]);
    const seen: string[] = [];
    const dispatcher = createOutboxDispatcher({
      store: db.store,
      clock: { now: () => new Date() },
      logger,
      handlers: { log: async (effect) => void seen.push(effect.id) },
    });
    const worker = await startWorker({
      backend: new PostgresBackend({ pool: db.store.pool, ensureSchema: false }),
      logger,
      jobs: [{ name: 'outbox.dispatch', every: '1 hour', run: async () => void (await dispatcher.drain()) }],
      processEvery: 200,
    });
    try {
      await worker.kick('outbox.dispatch');
      await expect.poll(async () => (await db.store.getEffect('agenda-log-1'))?.status, { timeout: 10_000 }).toBe('done');
      expect(seen).toEqual(['agenda-log-1']);
      expect(await db.store.listEffects({ caseId, status: 'done' })).toHaveLength(1);
    } finally {
      await worker.stop();
    }
    expect(worker.isRunning()).toBe(false);
    const locked = await db.store.pool.query('SELECT count(*)::int AS n FROM agenda_jobs WHERE locked_at IS NOT NULL');
    expect(locked.rows[0].n).toBe(0);
  });

  it('when a live worker takes longer than one lease over its batch, then its renewals keep another worker off those effects, and each runs once', async () => {
    const { systemClock } = await import('../../src/clock.ts');
    await caseWithEffects(db.store, [1, 2, 3].map((n) => ({ id: `slow-${n}`, kind: 'slow', payload: {} })), new Date(Date.now() - 1000));
    const runs: string[] = [];
    // Each effect takes 0.6 s: the batch of three outlives a 0.9 s lease three times over.
    const slow: EffectHandler = async (effect) => {
      runs.push(effect.id);
      await new Promise((resolve) => setTimeout(resolve, 600));
    };
    const options = { store: db.store, clock: systemClock, logger, handlers: { slow }, lockMs: 900 };
    const first = createOutboxDispatcher({ ...options, workerId: 'w-slow' });
    const second = createOutboxDispatcher({ ...options, workerId: 'w-eager' });
    const working = first.drain();
    const eager: number[] = [];
    for (let i = 0; i < 8; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      eager.push((await second.drain()).claimed);
    }
    expect(await working).toMatchObject({ claimed: 3, done: 3 });
    expect(eager.every((n) => n === 0)).toBe(true);
    expect(runs.sort()).toEqual(['slow-1', 'slow-2', 'slow-3']);
  });
});
