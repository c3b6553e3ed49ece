// The events a case can receive in any state, and a case as far as the guards can tell cases
// apart: what the model-based tests (path coverage, policy guardrails) explore a statechart with.
import type { CaseContext, CaseEvent, Evidence } from '../../../src/domain/case-types.ts';
import type { Workflow } from '../../../machines/workflow.ts';
import { allConsidered, evidence } from './support.ts';

const AT = '2024-11-04';
const DECISIONS = ['continueSupport', 'noticeToImprove', 'penaltyNotice', 'attendanceContract', 'educationSupervisionOrder', 'prosecution'] as const;

export function candidateEvents(workflow: Workflow, context: CaseContext): CaseEvent[] {
  const { policy } = workflow;
  // Attendance at the target, just below it, and inside each stage a case can jump to.
  const lows = policy.stages.flatMap((stage) =>
    stage.entersWhen ? ['pctBelow' in stage.entersWhen ? stage.entersWhen.pctBelow - 0.5 : stage.entersWhen.pctAtOrBelow] : [],
  );
  // Inside a low band both ways: falling, and improving while still in it (letters that follow the band).
  const outcomes = [evidence(policy.targetPct + 1, 2), evidence(policy.targetPct - 0.5, 1), evidence(policy.targetPct - 0.5, -1), ...lows.flatMap((pct) => [evidence(pct, -2), evidence(pct, 1)])];
  const timerEvents = Object.values(context.timers).flatMap((timer): CaseEvent[] => {
    // Fired on one date, so the dates the case computes stay inside the calendar.
    const base = { at: AT, timerId: timer.timerId };
    switch (timer.event) {
      case 'REVIEW_DUE':
      case 'IMPROVEMENT_PERIOD_ENDED':
      case 'CONTRACT_REVIEW_DUE':
        return outcomes.map((e) => ({ type: timer.event, ...base, evidence: e }) as CaseEvent);
      default:
        return [{ type: timer.event, ...base } as CaseEvent];
    }
  });
  const parentIds = [...context.parents.map((parent) => parent.id), 'stranger'];
  return [
    ...[outcomes[0] as Evidence, ...lows.map((pct) => evidence(pct))].flatMap((e): CaseEvent[] => [
      { type: 'OPEN', at: AT, evidence: e },
      { type: 'REOPEN', at: AT, evidence: e },
    ]),
    ...timerEvents,
    { type: 'MEETING_HELD', at: AT },
    { type: 'PARENT_DID_NOT_ATTEND', at: AT },
    { type: 'THRESHOLD_MET', at: AT, evidence: evidence(88) },
    ...DECISIONS.map((decision): CaseEvent => ({ type: 'CONSIDERATIONS_RECORDED', at: AT, decision, considerations: allConsidered, by: 'test' })),
    { type: 'NTI_ISSUED', at: AT },
    { type: 'UNAUTHORISED_ABSENCE', at: AT, evidence: evidence(88) },
    ...parentIds.map((parentId): CaseEvent => ({ type: 'PENALTY_NOTICE_ISSUED', at: AT, parentId })),
    ...context.parents.flatMap(({ id: parentId }): CaseEvent[] => [
      { type: 'PENALTY_PAID', at: AT, parentId },
      { type: 'LA_DECISION', at: AT, parentId, decision: 'prosecute' },
      { type: 'LA_DECISION', at: AT, parentId, decision: 'withdraw' },
    ]),
    { type: 'CONTRACT_AGREED', at: AT },
    { type: 'CONTRACT_DECLINED', at: AT },
    { type: 'CONTRACT_BREACHED', at: AT },
    { type: 'ESO_GRANTED', at: AT },
    { type: 'ESO_REFUSED', at: AT },
    { type: 'ESO_EXTENDED', at: AT },
    { type: 'ESO_NON_COMPLIANCE', at: AT },
    { type: 'PROSECUTION_LAID', at: AT },
    { type: 'COURT_OUTCOME', at: AT, outcome: 'convicted' },
    { type: 'PUPIL_LEFT', at: AT },
    { type: 'CASE_WITHDRAWN', at: AT, reason: 'test' },
    { type: 'SICKNESS_RETURN_DUE', at: AT, evidence: evidence(88) },
    { type: 'CHILD_MISSING_EDUCATION', at: AT, evidence: evidence(60) },
    { type: 'SEVERE_ABSENCE', at: AT, evidence: evidence(45) },
    { type: 'UNEXPLAINED_ABSENCE', at: AT, evidence: evidence(88) },
    ...(policy.absenceMilestones?.milestones ?? []).map((m): CaseEvent => ({ type: 'ABSENCE_MILESTONE', at: AT, milestone: m.id, evidence: evidence(88) })),
    ...[1, 2, 3, 5].map((days): CaseEvent => ({ type: 'ABSENCE_CONTINUES', at: AT, consecutiveDaysAbsent: days, evidence: evidence(88) })),
    { type: 'VULNERABILITY_RATED', at: AT, rating: 'RED' },
    ...(policy.bandActions ?? []).map(({ band }): CaseEvent => ({ type: 'BAND_REVIEWED', at: AT, band, evidence: evidence(88) })),
  ];
}

/** The case as far as the machine's guards can tell cases apart: keeps the graph finite. */
export function serialise(snapshot: { value: unknown; context: CaseContext }): string {
  const { context } = snapshot;
  const count = (status: string) => context.penaltyNotices.filter((notice) => notice.status === status).length;
  return JSON.stringify([
    snapshot.value,
    context.stage,
    Object.values(context.timers).map((timer) => timer.event).sort(),
    context.penaltyNotices.length,
    count('awaitingPayment'),
    count('unpaid'),
    context.supervisionOrder?.endsOn === context.supervisionOrder?.limitOn,
    // What the stage's review reads before escalating into a stage that follows these steps.
    Boolean(context.stageSteps?.meetingHeldOn),
    Boolean(context.stageSteps?.contractAgreedOn),
  ]);
}

