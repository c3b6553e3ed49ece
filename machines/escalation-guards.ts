import type { SchoolCalendar } from '../src/domain/calendar.ts';
import { compareDates } from '../src/domain/dates.ts';
import { considerationsComplete } from '../src/domain/penalty-notices.ts';
import { meetsPct } from '../src/domain/policy.ts';
import { addDuration } from '../src/domain/policy-durations.ts';
import type { Policy } from '../src/domain/policy.ts';
import type { CaseContext, CaseEvent, Decision } from '../src/domain/case-types.ts';
import type { PctCondition } from '../src/domain/policy.ts';
import { evidenceOf, stepsAt, type CaseTools } from './case-draft.ts';

/**
 * The attendance band a stage stands for: its own `entersWhen`, else that of the nearest stage
 * before it that has one, else the opening rule (the first stage's band).
 */
export function stageBand(policy: Policy, stageId: string): PctCondition {
  const index = policy.stages.findIndex((stage) => stage.id === stageId);
  for (let i = index; i >= 0; i -= 1) {
    const condition = policy.stages[i]?.entersWhen;
    if (condition) return condition;
  }
  return policy.opening.when;
}

type GuardArgs = { context: CaseContext; event: CaseEvent };

/** The chart's named guards for one policy: questions of the event's evidence and the case's context. */
export function escalationGuards(policy: Policy, calendar: SchoolCalendar | undefined, tools: CaseTools) {
  const { currentTimer, eligibility, noticesAwaiting, pctOf } = tools;
  const stageById = new Map(policy.stages.map((stage) => [stage.id, stage]));
  return {
      timerIsCurrent: ({ context, event }) => currentTimer(context, event)?.event === event.type,
      reachedTarget: ({ event }) => (pctOf(event) ?? -1) >= policy.targetPct,
      /** "No improvement" (or, for Equinox, "continues to fall") is measured since the last letter. */
      improvedSinceLetter: ({ event }) => {
        const delta = evidenceOf(event)?.change?.delta ?? null;
        if (delta === null) return false;
        return policy.improvement.escalateWhen === 'stillFalling' ? delta >= 0 : delta > 0;
      },
      entersStage: ({ event }, { stage }: { stage: string }) => {
        const condition = stageById.get(stage)?.entersWhen;
        return condition !== undefined && meetsPct(pctOf(event), condition);
      },
      wasAtStage: ({ context }, { stage }: { stage: string }) => context.stage === stage,
      /** The steps `stage` follows (its `follows`) are recorded at the stage the case is at. */
      stepsDone: ({ context }, { stage }: { stage: string }) => {
        const steps = stepsAt(context, context.stage ?? '');
        return (stageById.get(stage)?.follows?.steps ?? []).every((step) =>
          step === 'meetingHeld' ? steps.meetingHeldOn !== null : steps.contractAgreedOn !== null,
        );
      },
      inBandOf: ({ event }, { stage }: { stage: string }) => meetsPct(pctOf(event), stageBand(policy, stage)),
      bandHasAction: ({ event }) =>
        event.type === 'BAND_REVIEWED' && (policy.bandActions ?? []).some((action) => action.band === event.band),
      considerationsComplete: ({ event }) =>
        event.type === 'CONSIDERATIONS_RECORDED' && considerationsComplete(event.considerations),
      decisionIs: ({ event }, { decision }: { decision: Decision }) =>
        event.type === 'CONSIDERATIONS_RECORDED' && event.decision === decision,
      anyParentMayReceivePenaltyNotice: ({ context, event }) =>
        context.parents.some((parent) => eligibility(context, parent.id, event.at).allowed),
      mayIssuePenaltyNotice: ({ context, event }) =>
        event.type === 'PENALTY_NOTICE_ISSUED' &&
        context.parents.some((parent) => parent.id === event.parentId) &&
        noticesAwaiting(context, event.parentId, 'awaitingPayment').length === 0 &&
        eligibility(context, event.parentId, event.at).allowed,
      parentHasNoticeAwaitingPayment: ({ context, event }) =>
        'parentId' in event && noticesAwaiting(context, event.parentId, 'awaitingPayment').length > 0,
      parentHasUnpaidNotice: ({ context, event }) =>
        'parentId' in event && noticesAwaiting(context, event.parentId, 'unpaid').length > 0,
      laDecidesToProsecute: ({ event }) => event.type === 'LA_DECISION' && event.decision === 'prosecute',
      noNoticeAwaitingPayment: ({ context }) => !context.penaltyNotices.some((notice) => notice.status === 'awaitingPayment'),
      someNoticeUnpaid: ({ context }) => context.penaltyNotices.some((notice) => notice.status === 'unpaid'),
      extensionAllowed: ({ context }) => {
        const order = context.supervisionOrder;
        if (!order) return false;
        const extended = addDuration(order.endsOn, policy.educationSupervisionOrder.extension, calendar);
        return compareDates(extended, order.limitOn) <= 0;
      },
      improvementPeriodAllowed: ({ event }) => {
        if (event.type !== 'NTI_ISSUED' || event.improvementPeriod === undefined) return true;
        const range = policy.noticeToImprove.improvementPeriodRange;
        const { amount } = policy.noticeToImprove.improvementPeriod;
        return range ? event.improvementPeriod >= range.min && event.improvementPeriod <= range.max : event.improvementPeriod === amount;
      },
      withinProsecutionTimeLimit: ({ context, event }) =>
        context.prosecution !== null && compareDates(event.at, context.prosecution.deadline) <= 0,
      sicknessReturnNotYetSent: ({ context }) => context.notified.sicknessReturnOn === null,
      missingEducationNotYetReported: ({ context }) => context.notified.missingEducationOn === null,
      multiAgencyPlanNotYetStarted: ({ context }) => context.notified.multiAgencyPlanOn === null,
      milestoneInPolicy: ({ event }) =>
        event.type === 'ABSENCE_MILESTONE' &&
        (policy.absenceMilestones?.milestones.some((milestone) => milestone.id === event.milestone) ?? false),
      faceToFaceContactDue: ({ context, event }) => {
        const every = policy.vulnerability?.faceToFaceEveryNthDay[context.vulnerability ?? 'GREEN'];
        return event.type === 'ABSENCE_CONTINUES' && every !== undefined && event.consecutiveDaysAbsent % every === 0;
      },
  } satisfies Record<string, (args: GuardArgs, params: never) => boolean>;
}
