import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { getAdjacencyMap } from 'xstate/graph';
import type { CaseContext, CaseEvent } from '../../../src/domain/case-types.ts';
import { addDays } from '../../../src/domain/dates.ts';
import { considerationsComplete, MAX_NOTICES_IN_PERIOD, PERIOD_YEARS, prosecutionDeadline, FULL_RATE, REDUCED_RATE } from '../../../src/domain/penalty-notices.ts';
import { addMonths } from '../../../src/domain/dates.ts';
import { LEGAL_TAG } from '../../../machines/escalation.ts';
import { stateName } from '../../../machines/workflow.ts';
import { parseDocument } from '../../../src/policies/school-policy.ts';
import { schoolWorkflow } from '../../../src/policies/school-policy.ts';
import { calendarFor, WORKFLOWS } from '../../../workflows/index.ts';
import { candidateEvents, serialise } from '../machines/explore.ts';

// Model-based, as the path coverage is: any policy document the schema accepts is explored with
// every event in every state, and every step must keep the statutory guardrails.

const LA = 'Sandwell';
const calendar = calendarFor(WORKFLOWS.national!, 'sandwell');
const duration = fc.record({ amount: fc.integer({ min: 1, max: 8 }), unit: fc.constantFrom('schoolWeeks' as const, 'schoolDays' as const) });

/** A document as a school might write one: a base, and changes to its numbers, letters, meetings and stages. */
const documents = fc
  .record({
    base: fc.constantFrom(...Object.keys(WORKFLOWS)),
    targetPct: fc.integer({ min: 85, max: 99 }),
    openBelow: fc.integer({ min: 80, max: 99 }),
    cadence: fc.constantFrom('daily', 'weekly', 'fortnightly', 'monthly'),
    nti: fc.integer({ min: 15, max: 30 }),
    keep: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
    reviews: fc.array(duration, { minLength: 8, maxLength: 8 }),
    dropLetters: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
    missedMeetingEscalates: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
  })
  .map((d) => {
    const base = WORKFLOWS[d.base]!.policy;
    const kept = base.stages.map((stage, i) => ({ stage, i })).filter(({ i }) => d.keep[i] || i === 0);
    const stages = kept
      .map(({ stage, i: inBase }, i) => {
        const { entersWhen, follows, ...rest } = stage;
        // A stage that follows the meeting of the one before keeps that rule only while that stage is kept.
        const before = kept[i - 1]?.i === inBase - 1;
        return {
          ...rest,
          ...(follows && before ? { follows } : {}),
          ...(i > 0 && entersWhen ? { entersWhen } : {}),
          review: d.reviews[i]!,
          ...(d.dropLetters[i] ? { letter: undefined } : {}),
          ...(stage.meeting ? { meeting: { ...stage.meeting, escalateIfNotAttended: d.missedMeetingEscalates[i]! } } : {}),
        };
      });
    const letters = new Set(stages.map((s) => s.letter));
    return {
      base: d.base,
      overrides: {
        targetPct: d.targetPct,
        opening: { when: { pctBelow: d.openBelow } },
        evaluation: { cadence: d.cadence },
        noticeToImprove: { improvementPeriod: { amount: d.nti, unit: 'schoolDays' } },
        stages: JSON.parse(JSON.stringify(stages)),
        autoSend: base.autoSend.filter((t) => letters.has(t)),
      },
    };
  });

const inPeriod = (issuedOn: string[]) => {
  const sorted = [...issuedOn].sort();
  return sorted.some((first, i) => sorted.filter((d, j) => j >= i && d < addMonths(first, PERIOD_YEARS * 12)).length > MAX_NOTICES_IN_PERIOD);
};

/** Every guardrail one step can break, as a list of what it broke (empty when kept). */
function broken(before: { context: CaseContext; hasTag(tag: string): boolean; value: unknown }, after: { context: CaseContext; hasTag(tag: string): boolean; value: unknown }, event: CaseEvent): string[] {
  const problems: string[] = [];
  const where = `${stateName(before.value as never)} --${event.type}--> ${stateName(after.value as never)}`;
  if (after.hasTag(LEGAL_TAG) && !before.hasTag(LEGAL_TAG)) {
    if (stateName(before.value as never) !== 'open.considering') problems.push(`legal route entered without the considerations: ${where}`);
    if (!considerationsComplete(after.context.considerations?.answers)) problems.push(`legal route entered with the considerations incomplete: ${where}`);
  }
  const history = (after.context as CaseContext & { penaltyNoticeHistory?: { parentId: string; issuedOn: string }[] }).penaltyNoticeHistory ?? [];
  for (const parent of after.context.parents) {
    const dates = [...history, ...after.context.penaltyNotices].filter((n) => n.parentId === parent.id).map((n) => n.issuedOn);
    if (inPeriod(dates)) problems.push(`more than two penalty notices in three years to ${parent.id}: ${where}`);
  }
  for (const notice of after.context.penaltyNotices) {
    const reduced = after.context.timers[`reducedRate:${notice.id}`];
    const full = after.context.timers[`payment:${notice.id}`];
    if (reduced && reduced.dueDate !== addDays(notice.issuedOn, REDUCED_RATE.days)) problems.push(`reduced-rate window not 21 days: ${where}`);
    if (full && full.dueDate !== addDays(notice.issuedOn, FULL_RATE.days)) problems.push(`payment window not 28 days: ${where}`);
  }
  const prosecution = after.context.prosecution;
  if (prosecution) {
    if (prosecution.deadline !== prosecutionDeadline(prosecution.offenceOn)) problems.push(`prosecution deadline not six months: ${where}`);
    const limit = after.context.timers.prosecutionTimeLimit;
    if (limit && limit.dueDate !== prosecution.deadline) problems.push(`prosecution time-limit timer not at the deadline: ${where}`);
  }
  return problems;
}

describe('any policy a school can write keeps the statutory guardrails', () => {
  it('when any accepted policy document is explored with every event in every state, then no step takes a legal route without the five considerations, a third notice in three years, other payment windows or a later prosecution', () => {
    let explored = 0;
    let legalEntries = 0;
    fc.assert(
      fc.property(documents, (raw) => {
        const workflow = schoolWorkflow(parseDocument(raw), LA);
        const machine = workflow.createMachine(calendar);
        const adjacency = getAdjacencyMap(machine, {
          input: {
            caseId: 'p',
            upn: 'P',
            parents: [{ id: 'mum' }, { id: 'dad' }],
            penaltyNoticeHistory: [{ id: 'n0', parentId: 'mum', issuedOn: '2024-03-04', sequence: 1, amountDue: 80, status: 'paid', settledOn: '2024-03-04' }],
          },
          events: (snapshot) => candidateEvents(workflow, snapshot.context),
          serializeState: (snapshot) => serialise(snapshot),
          limit: 200_000,
        });
        const problems: string[] = [];
        for (const { state, transitions } of Object.values(adjacency)) {
          for (const { event, state: next } of Object.values(transitions) as { event: CaseEvent; state: typeof state }[]) {
            if (next.hasTag(LEGAL_TAG) && !state.hasTag(LEGAL_TAG)) legalEntries += 1;
            problems.push(...broken(state, next, event));
          }
        }
        explored += Object.keys(adjacency).length;
        expect(problems.slice(0, 5)).toEqual([]);
      }),
      { numRuns: 12, seed: 21 },
    );
    // The property held over real exploration, not over empty charts.
    expect(explored).toBeGreaterThan(12 * 10);
    expect(legalEntries).toBeGreaterThan(12);
  }, 600_000);
});
