import { expect } from 'vitest';
import type { CrashRun } from './crash-scenario.ts';

/** The promises every crash run must keep, whatever was interrupted. */
export function expectNothingLostOrDuplicated(run: CrashRun) {
  const { outcome, smtp } = run;
  expect(outcome.cases).toBe(run.pupils);
  expect(outcome.byState).toEqual({ 'open.stage1b': run.pupils });
  // Exactly one OPEN and one REVIEW_DUE per case: no timer fired twice, none skipped.
  expect(outcome.badTimelines).toEqual([]);
  expect(outcome.dueTimersLeft).toBe(0);
  expect(outcome.casesWithoutNextReview).toBe(0);
  // Every effect ran, but for the tasks of Stage 1a not yet made when the case moved on to Stage 1b (closed with their stage).
  expect(outcome.effects).toEqual({ done: expect.any(Number), ...(outcome.effects['cancelled:createTask'] ? { 'cancelled:createTask': expect.any(Number) } : {}) });
  // Letter A on opening (sent unasked) and Letter B at the review (held, then approved), each to both parents.
  expect(outcome.letterEffects).toBe(2 * run.pupils);
  expect(run.approved).toBe(run.pupils);
  expect(outcome.messages.sent).toBe(outcome.messages.total);
  expect(outcome.messages.total).toBeGreaterThanOrEqual(4 * run.pupils);
  // Every recorded message reached the SMTP server, nothing else did, and nothing twice.
  expect(smtp.unknown).toEqual([]);
  expect(smtp.distinct).toBe(outcome.messages.total);
  expect(smtp.duplicates).toEqual([]);
  expect(smtp.accepted).toBe(outcome.messages.total);
}
