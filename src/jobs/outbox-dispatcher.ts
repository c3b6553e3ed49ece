import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { OutboxEffect, Store } from '../store/types.ts';
import { PermanentEffectError, type EffectHandler } from '../cases/effect-handler.ts';
import { londonDate } from '../domain/london-time.ts';

export interface DispatchSummary {
  claimed: number;
  done: number;
  retried: number;
  failed: number;
  parked: number;
}

export interface DispatcherOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  handlers: Record<string, EffectHandler>;
  maxAttempts?: number;
  /** Delay before the second attempt; it doubles with each attempt after that. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** How long a claimed effect stays ours unrenewed; renewed every third of it while the batch runs. */
  lockMs?: number;
  /** The worker claiming: a restart frees a dead worker's claims at once. */
  workerId?: string;
  batchSize?: number;
}

const isPermanent = (error: unknown) =>
  error instanceof PermanentEffectError || (typeof error === 'object' && error !== null && (error as { permanent?: unknown }).permanent === true);

export function backoffDelay(attempt: number, baseDelayMs: number, maxDelayMs: number): number {
  return Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempt - 1));
}

/**
 * Runs due outbox effects. Delivery is at-least-once (a crash after the handler ran but before
 * `completeEffect` repeats it), so handlers make repeats harmless by keying on the effect id.
 */
export function createOutboxDispatcher(options: DispatcherOptions) {
  const { store, clock, logger, handlers } = options;
  const maxAttempts = options.maxAttempts ?? 8;
  const baseDelayMs = options.baseDelayMs ?? 30_000;
  const maxDelayMs = options.maxDelayMs ?? 3_600_000;
  const lockMs = options.lockMs ?? 15_000;
  const claimedBy = options.workerId ?? `dispatcher:${randomUUID()}`;
  const batchSize = options.batchSize ?? 50;

  async function fail(effect: OutboxEffect, message: string, summary: DispatchSummary) {
    const at = clock.now();
    await store.failEffect(effect.id, message, at);
    summary.failed += 1;
    logger.warn({ effectId: effect.id, kind: effect.kind, attempts: effect.attempts }, 'effect failed permanently');
    const record = effect.caseId ? await store.getCase(effect.caseId) : null;
    if (record) {
      // Someone must act on what did not happen: a letter not sent is a letter a family never got.
      await store.createTask({
        id: `failed:${effect.id}`,
        caseId: record.id,
        schoolId: record.schoolId,
        kind: 'effect-failed',
        title: `${effect.kind} could not be completed: ${message}`,
        dueDate: londonDate(at),
        createdAt: at,
      });
      await store.appendTimeline(record.schoolId, record.id, [
        {
          id: randomUUID(),
          at,
          actor: 'system:outbox',
          type: 'effect.failed',
          from: null,
          to: null,
          evidence: { effectId: effect.id, kind: effect.kind, attempts: effect.attempts, error: message },
        },
      ]);
    }
  }

  async function runOne(effect: OutboxEffect, summary: DispatchSummary) {
    const handler = handlers[effect.kind];
    if (!handler) {
      await store.parkEffect(effect.id, `no handler for '${effect.kind}' in this version`);
      summary.parked += 1;
      return;
    }
    try {
      const outcome = await handler(effect);
      if (outcome && 'park' in outcome) {
        await store.parkEffect(effect.id, outcome.park);
        summary.parked += 1;
        return;
      }
      await store.completeEffect(effect.id, clock.now());
      summary.done += 1;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (isPermanent(error) || effect.attempts >= maxAttempts) {
        await fail(effect, message, summary);
        return;
      }
      const next = new Date(clock.now().getTime() + backoffDelay(effect.attempts, baseDelayMs, maxDelayMs));
      await store.retryEffect(effect.id, message, next);
      summary.retried += 1;
      logger.info({ effectId: effect.id, kind: effect.kind, attempts: effect.attempts, nextAttemptAt: next }, 'effect will be retried');
    }
  }

  let stopping = false;
  return {
    /**
     * Stopping: a running drain finishes the effect in hand and takes no other. What it had
     * claimed and not run is freed when the worker's lease is released (releaseWorkers), so a
     * SIGTERM in the middle of a big batch of letters stops the process in seconds, not minutes.
     */
    stop() {
      stopping = true;
    },
    /** Claims and runs due effects until none is left (or it is stopped); returns what happened. */
    async drain(): Promise<DispatchSummary> {
      const summary: DispatchSummary = { claimed: 0, done: 0, retried: 0, failed: 0, parked: 0 };
      for (;;) {
        if (stopping) return summary;
        const batch = await store.claimEffects({ now: clock.now(), limit: batchSize, lockMs, claimedBy });
        if (batch.length === 0) return summary;
        summary.claimed += batch.length;
        const left = new Set(batch.map((e) => e.id));
        // A long render must not look abandoned: the claims still waiting are renewed as we go.
        const renewing = setInterval(() => {
          const until = new Date(clock.now().getTime() + lockMs);
          void store.renewEffects([...left], claimedBy, until).catch((error: unknown) => logger.warn({ err: error }, 'could not renew outbox claims'));
        }, lockMs / 3);
        try {
          for (const effect of batch) {
            if (stopping) break;
            await runOne(effect, summary);
            left.delete(effect.id);
          }
        } finally {
          clearInterval(renewing);
        }
      }
    },
  };
}

export type OutboxDispatcher = ReturnType<typeof createOutboxDispatcher>;
