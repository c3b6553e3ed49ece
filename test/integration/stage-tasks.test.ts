// Seven weeks of the demo with the real evaluator, timers and outbox: the tasks a stage set are
// closed when its case moves on, so what is left open (and overdue) is work still to do.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { openTestPostgres } from '../support/postgres.ts';
import { createLogger } from '../../src/logger.ts';
import { createCaseService } from '../../src/cases/case-service.ts';
import { SharedClock, advanceClock } from '../../src/cases/demo-clock.ts';
import { createOutboxDispatcher } from '../../src/jobs/outbox-dispatcher.ts';
import { coreEffectHandlers } from '../../src/jobs/effect-handlers.ts';
import { DEMO_CLOCK_START, loadDemo } from '../../src/demo/demo-trust.ts';
import { demoRegisterFiller } from '../../src/demo/demo-register.ts';
import { londonDate } from '../../src/domain/london-time.ts';
import { caseWideTaskKinds, placeOf } from '../../src/domain/stage-groups.ts';
import { getWorkflow } from '../../workflows/index.ts';
import type { OpenedPostgres } from '../../src/store/postgres/open.ts';

const logger = createLogger('silent');
const DAY_MS = 86_400_000;
const WEEKS = 7;

describe('stage tasks over seven weeks of the demo', () => {
  let db: OpenedPostgres;
  beforeAll(async () => {
    db = await openTestPostgres();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('when the demo clock runs seven weeks, then no task the workflow set for a stage is open once its case has left that stage or closed', { timeout: 1_800_000 }, async () => {
    const store = db.store;
    await loadDemo(store, { at: DEMO_CLOCK_START });
    const clock = new SharedClock(store);
    await clock.set(DEMO_CLOCK_START);
    const cases = createCaseService({ store, clock, logger });
    // The outbox runs on wall-clock time (claims, locks); the tasks it makes carry the demo's date.
    const outbox = createOutboxDispatcher({ store, clock: { now: () => new Date() }, logger, handlers: coreEffectHandlers({ store, clock, logger }) });
    const fillRegister = demoRegisterFiller(store, clock);
    for (let day = 0; day < WEEKS * 7; day++) {
      await advanceClock({ store, cases, logger, clock, fillRegister }, DAY_MS);
      await outbox.drain();
    }

    const today = londonDate(clock.now());
    const open = await store.listTasks({ status: 'open' });
    const closedByMove = (await store.listTasks({ status: 'cancelled' })).filter((task) => task.note?.startsWith('closed: the case'));
    const left: string[] = [];
    for (const task of open) {
      const made = task.caseId && /^[^:]+:v\d+:\d+$/.test(task.id) ? await store.getEffect(task.id) : null;
      if (!made) continue;
      const record = (await store.getCase(task.caseId!))!;
      if (caseWideTaskKinds(getWorkflow(record.workflowId).policy).includes(task.kind) && record.status === 'open') continue;
      const moves = (await store.listTimeline(record.id)).filter((entry) => entry.type === 'transition' && entry.at > made.createdAt && entry.from && entry.to && placeOf(entry.from) !== placeOf(entry.to));
      if (moves.length > 0 || record.status === 'closed') left.push(`${task.title} (set at ${made.createdAt.toISOString()}, case now ${record.state})`);
    }
    const overdue = open.filter((task) => task.dueDate < today);
    const kinds = new Map<string, number>();
    for (const task of overdue) kinds.set(task.kind, (kinds.get(task.kind) ?? 0) + 1);
    const byKind = [...kinds].map(([kind, n]) => `${kind} ${n}`);
    console.log(`after ${WEEKS} weeks (${today}): ${open.length} open tasks, ${overdue.length} overdue (${byKind.join(', ')}); ${closedByMove.length} closed because their case moved on`);
    expect(closedByMove.length).toBeGreaterThan(0);
    expect(left).toEqual([]);
  });
});
