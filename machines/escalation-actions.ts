import type { SchoolCalendar } from '../src/domain/calendar.ts';
import { FULL_RATE, prosecutionDeadline } from '../src/domain/penalty-notices.ts';
import type { Considerations } from '../src/domain/penalty-notices.ts';
import type { Policy, Stage } from '../src/domain/policy.ts';
import type { CancelTimerParams, ClosureReason, CreateTaskParams, NotifyParams, SendLetterParams, StartTimerParams } from '../src/domain/case-types.ts';
import { effectful, evidenceOf, NOTHING_NOTIFIED, stepsAt, type CaseTools } from './case-draft.ts';

/**
 * The chart's actions for one policy: effects are data (letters, notifications, timers, tasks) that
 * the case service's outbox carries out; every other action drafts effects and context changes.
 */
export function escalationActions(policy: Policy, calendar: SchoolCalendar | undefined, tools: CaseTools) {
  const { draft, currentTimer, timerName, eligibility, noticesAwaiting, pctOf } = tools;
  const stageById = new Map(policy.stages.map((stage) => [stage.id, stage]));
  const firstStage = policy.stages[0] as Stage;
  return {
      // Effects: no implementation here on purpose, the case service's outbox runs them.
      sendLetter: (_: unknown, _params: SendLetterParams) => {},
      notify: (_: unknown, _params: NotifyParams) => {},
      startTimer: (_: unknown, _params: StartTimerParams) => {},
      cancelTimer: (_: unknown, _params: CancelTimerParams) => {},
      createTask: (_: unknown, _params: CreateTaskParams) => {},

      openCase: effectful((context, event) => ({
        effects: [],
        patch: { openedOn: event.at, closure: null, notified: NOTHING_NOTIFIED },
      })),
      escalateTo: effectful<{ stage: string }>((context, event, { stage: id }) => {
        const stage = stageById.get(id) as Stage;
        const d = draft(context, event);
        if (stage.letter) {
          d.letter(stage.letter);
          d.patch.lastLetter = { template: stage.letter, sentOn: event.at, attendancePct: pctOf(event) };
        }
        for (const notification of stage.notify) d.notify(notification);
        if (stage.meeting) d.task('meeting', `Invite parents to the ${stage.meeting.name}`, stage.meeting.dueIn);
        d.tasks(stage.tasks);
        return d;
      }),
      startStageReview: effectful<{ stage: string }>((context, event, { stage: id }) => {
        const stage = stageById.get(id) as Stage;
        const d = draft(context, event);
        // Steps count from entering the stage: a review that keeps the case there keeps them.
        if (context.stage !== id || !context.stageSteps)
          d.patch.stageSteps = { ...stepsAt(context, id), ...(context.stage === id ? {} : { since: event.at }) };
        d.patch.stage = id;
        d.startTimer('review', d.due(stage.review), 'REVIEW_DUE');
        return d;
      }),
      stopTimer: effectful<{ name: string }>((context, event, { name }) => {
        const d = draft(context, event);
        d.cancelTimer(name);
        return d;
      }),
      lastStageNotImproving: effectful<{ stage: string }>((context, event, { stage: id }) => {
        const stage = stageById.get(id) as Stage;
        const d = draft(context, event);
        for (const notification of stage.noImprovement?.notify ?? []) d.notify(notification);
        d.tasks(stage.noImprovement?.tasks ?? []);
        return d;
      }),
      recordMeeting: effectful<{ attended: boolean }>((context, event, { attended }) => {
        const stage = context.stage ?? firstStage.id;
        const steps = stepsAt(context, stage);
        return {
          effects: [],
          patch: {
            lastMeeting: { stage, on: event.at, attended },
            stageSteps: attended ? { ...steps, meetingHeldOn: event.at } : { ...steps, meetingsMissed: steps.meetingsMissed + 1 },
          },
        };
      }),
      /** The parents did not come: they are invited again, the way a school would. */
      reinvite: effectful((context, event) => {
        const stage = stageById.get(context.stage ?? firstStage.id);
        const d = draft(context, event);
        if (stage?.meeting) d.task('meeting', `The parents did not attend the ${stage.meeting.name}: invite them again`, stage.meeting.dueIn);
        return d;
      }),
      /**
       * A review found no improvement, but the next stage follows steps not yet recorded here: the
       * case stays, the review comes round again, and staff are told what the next stage waits for.
       */
      chaseSteps: effectful<{ stage: string }>((context, event, { stage: id }) => {
        const next = stageById.get(id) as Stage;
        const here = stageById.get(context.stage ?? firstStage.id);
        const steps = stepsAt(context, here?.id ?? firstStage.id);
        const contract = policy.attendanceContract.name;
        const missing = (next.follows?.steps ?? []).filter((step) => (step === 'meetingHeld' ? steps.meetingHeldOn === null : steps.contractAgreedOn === null));
        const meeting = here?.meeting?.name ?? 'meeting';
        const words = missing.map((step) => (step === 'contractAgreed' ? `an agreed ${contract}` : `the ${meeting} held with the parents`));
        const d = draft(context, event);
        d.task('meeting', `Attendance has not improved, but ${next.name} comes only after ${words.join(' and ')}: invite the parents to the ${meeting} again`, here?.meeting?.dueIn);
        return d;
      }),
      /** The stage's meeting agreed the contract: its own review becomes the stage's next review. */
      agreeContractAtStage: effectful((context, event) => {
        const stage = context.stage ?? firstStage.id;
        const contract = context.contract ?? { agreedOn: null, declinedOn: null, breachedOn: null };
        const d = draft(context, event);
        d.patch.contract = { ...contract, agreedOn: event.at };
        d.patch.stageSteps = { ...stepsAt(context, stage), contractAgreedOn: event.at };
        d.cancelTimer('review');
        d.startTimer('review', d.due(policy.attendanceContract.review), 'REVIEW_DUE');
        return d;
      }),
      declineContractAtStage: effectful((context, event) => {
        const stage = context.stage ?? firstStage.id;
        const contract = context.contract ?? { agreedOn: null, declinedOn: null, breachedOn: null };
        const d = draft(context, event);
        d.patch.contract = { ...contract, declinedOn: event.at };
        d.patch.stageSteps = { ...stepsAt(context, stage), contractDeclinedOn: event.at };
        d.task(
          'anotherIntervention',
          `The parents declined the ${policy.attendanceContract.name} (it cannot be made without them): choose another intervention, or offer it again`,
        );
        return d;
      }),
      /** The weekly RAG review: the action the seed names for the pupil's band. */
      raiseBandAction: effectful((context, event) => {
        const d = draft(context, event);
        if (event.type === 'BAND_REVIEWED') d.tasks((policy.bandActions ?? []).filter((action) => action.band === event.band).map((action) => action.task));
        return d;
      }),
      closeCase: effectful<{ reason: ClosureReason }>((context, event, { reason }) => {
        const d = draft(context, event);
        for (const name of Object.keys(context.timers)) d.cancelTimer(name);
        d.patch.closure = event.type === 'CASE_WITHDRAWN' ? { reason, on: event.at, detail: event.reason } : { reason, on: event.at };
        return d;
      }),

      recordThreshold: effectful((context, event) => ({
        effects: [],
        patch: { thresholdMetOn: event.at, offenceOn: evidenceOf(event)?.lastUnauthorisedOn ?? event.at },
      })),
      requestConsiderations: effectful((context, event) => {
        const d = draft(context, event);
        d.task(
          'considerations',
          'National threshold met: record the five considerations before choosing a legal route',
          policy.considerations.dueIn,
        );
        return d;
      }),
      recordConsiderations: effectful((context, event) => {
        if (event.type !== 'CONSIDERATIONS_RECORDED') return { effects: [], patch: {} };
        const answers = event.considerations as Considerations;
        return {
          effects: [],
          patch: { considerations: { recordedOn: event.at, by: event.by, decision: event.decision, answers } },
        };
      }),
      refusePenaltyNotice: effectful((context, event) => {
        const d = draft(context, event);
        d.task(
          'anotherIntervention',
          'No further penalty notice may be issued to this parent for this child within 3 years of the first: choose another intervention',
        );
        return d;
      }),

      requestNoticeToImprove: effectful((context, event) => {
        const d = draft(context, event);
        d.notify(policy.noticeToImprove.request);
        return d;
      }),
      startImprovementPeriod: effectful((context, event) => {
        const d = draft(context, event);
        const period = policy.noticeToImprove.improvementPeriod;
        const chosen = event.type === 'NTI_ISSUED' && event.improvementPeriod ? event.improvementPeriod : period.amount;
        const endsOn = d.due({ ...period, amount: chosen });
        d.patch.noticeToImprove = { issuedOn: event.at, endsOn };
        d.startTimer('improvementPeriod', endsOn, 'IMPROVEMENT_PERIOD_ENDED');
        return d;
      }),
      recordFurtherAbsence: effectful((context, event) => ({
        effects: [],
        patch: { offenceOn: evidenceOf(event)?.lastUnauthorisedOn ?? event.at },
      })),

      requestPenaltyNotice: effectful((context, event) => {
        const d = draft(context, event);
        d.notify(policy.penaltyNotice.request);
        d.task('penaltyNotice', 'Issue a penalty notice to each parent liable for the absence');
        return d;
      }),
      issuePenaltyNotice: effectful((context, event) => {
        if (event.type !== 'PENALTY_NOTICE_ISSUED') return { effects: [], patch: {} };
        const rule = eligibility(context, event.parentId, event.at);
        if (!rule.allowed) return { effects: [], patch: {} };
        const d = draft(context, event);
        const id = `${context.caseId}/penalty-notice/${event.parentId}/${event.at}`;
        d.patch.penaltyNotices = [
          ...context.penaltyNotices,
          {
            id,
            parentId: event.parentId,
            issuedOn: event.at,
            sequence: rule.sequence,
            amountDue: rule.reducedRate?.pounds ?? rule.fullRate.pounds,
            status: 'awaitingPayment',
            settledOn: null,
          },
        ];
        if (rule.reducedRate) d.startTimer(`reducedRate:${id}`, rule.reducedRate.paidBy, 'REDUCED_RATE_WINDOW_CLOSED', id);
        d.startTimer(`payment:${id}`, rule.fullRate.paidBy, 'PAYMENT_WINDOW_CLOSED', id);
        return d;
      }),
      closeReducedRateWindow: effectful((context, event) => {
        const d = draft(context, event);
        const timer = currentTimer(context, event);
        const name = 'timerId' in event ? timerName(context, event.timerId) : undefined;
        if (name) d.cancelTimer(name);
        d.updateNotices((notice) => notice.id === timer?.noticeId, { amountDue: FULL_RATE.pounds });
        return d;
      }),
      recordPayment: effectful((context, event) => {
        if (event.type !== 'PENALTY_PAID') return { effects: [], patch: {} };
        const d = draft(context, event);
        const paid = new Set(noticesAwaiting(context, event.parentId, 'awaitingPayment').map((notice) => notice.id));
        for (const id of paid) {
          d.cancelTimer(`reducedRate:${id}`);
          d.cancelTimer(`payment:${id}`);
        }
        d.updateNotices((notice) => paid.has(notice.id), { status: 'paid', settledOn: event.at });
        return d;
      }),
      closePaymentWindow: effectful((context, event) => {
        const d = draft(context, event);
        const timer = currentTimer(context, event);
        const name = 'timerId' in event ? timerName(context, event.timerId) : undefined;
        if (name) d.cancelTimer(name);
        d.updateNotices((notice) => notice.id === timer?.noticeId, { status: 'unpaid' });
        d.notify(policy.penaltyNotice.unpaid);
        return d;
      }),
      recordLaDecision: effectful((context, event) => {
        if (event.type !== 'LA_DECISION') return { effects: [], patch: {} };
        const d = draft(context, event);
        const status = event.decision === 'prosecute' ? 'prosecute' : 'withdrawn';
        d.updateNotices((notice) => notice.parentId === event.parentId && notice.status === 'unpaid', {
          status,
          settledOn: event.at,
        });
        return d;
      }),
      cancelPaymentTimers: effectful((context, event) => {
        const d = draft(context, event);
        for (const name of Object.keys(context.timers)) if (/^(reducedRate|payment):/.test(name)) d.cancelTimer(name);
        return d;
      }),

      proposeContract: effectful((context, event) => {
        const d = draft(context, event);
        d.task('meeting', `Meet the parents to agree an ${policy.attendanceContract.name}`, policy.attendanceContract.meetingDueIn);
        return d;
      }),
      recordContract: effectful<{ outcome: 'agreed' | 'declined' | 'breached' }>((context, event, { outcome }) => {
        const contract = context.contract ?? { agreedOn: null, declinedOn: null, breachedOn: null };
        const d = draft(context, event);
        d.patch.contract = { ...contract, [`${outcome}On`]: event.at };
        if (outcome === 'declined')
          d.task('anotherIntervention', `The parents declined the ${policy.attendanceContract.name}: choose another intervention`);
        return d;
      }),
      startContractReview: effectful((context, event) => {
        const d = draft(context, event);
        d.startTimer('contractReview', d.due(policy.attendanceContract.review), 'CONTRACT_REVIEW_DUE');
        return d;
      }),

      applyForSupervisionOrder: effectful((context, event) => {
        const d = draft(context, event);
        d.notify({ to: policy.legalRequestsTo, template: `${policy.id}/education-supervision-order-request` });
        return d;
      }),
      recordSupervisionOrder: effectful((context, event) => {
        const d = draft(context, event);
        const { initial, maximum } = policy.educationSupervisionOrder;
        d.patch.supervisionOrder = { grantedOn: event.at, endsOn: d.due(initial), limitOn: d.due(maximum) };
        return d;
      }),
      extendSupervisionOrder: effectful((context, event) => {
        const order = context.supervisionOrder;
        if (!order) return { effects: [], patch: {} };
        const d = draft(context, event);
        d.patch.supervisionOrder = { ...order, endsOn: d.due(policy.educationSupervisionOrder.extension, order.endsOn) };
        return d;
      }),
      startSupervisionOrder: effectful((context, event) => {
        const d = draft(context, event);
        const endsOn = context.supervisionOrder?.endsOn ?? d.due(policy.educationSupervisionOrder.initial);
        d.startTimer('supervisionOrder', endsOn, 'ESO_ENDED');
        return d;
      }),

      prepareProsecution: effectful((context, event) => {
        const d = draft(context, event);
        const offenceOn = context.offenceOn ?? event.at;
        const deadline = prosecutionDeadline(offenceOn);
        d.patch.prosecution = { offenceOn, deadline, laidOn: null, outcome: null };
        d.letter(policy.prosecution.formalNotice);
        d.task('prosecution', `Prepare the prosecution file: it must be laid by ${deadline}`);
        d.startTimer('prosecutionTimeLimit', deadline, 'PROSECUTION_TIME_LIMIT_REACHED');
        return d;
      }),
      recordProsecution: effectful((context, event) => {
        const prosecution = context.prosecution;
        if (!prosecution) return { effects: [], patch: {} };
        const change =
          event.type === 'COURT_OUTCOME' ? { outcome: event.outcome } : event.type === 'PROSECUTION_LAID' ? { laidOn: event.at } : {};
        return { effects: [], patch: { prosecution: { ...prosecution, ...change } } };
      }),
      recordTimeBar: effectful((context, event) => {
        const d = draft(context, event);
        d.task('anotherIntervention', 'The 6-month time limit for prosecuting this offence has passed: choose another intervention');
        return d;
      }),

      sendSicknessReturn: effectful((context, event) => {
        const d = draft(context, event);
        d.notify(policy.sicknessReturn.notify);
        d.patch.notified = { ...context.notified, sicknessReturnOn: event.at };
        return d;
      }),
      reportMissingEducation: effectful((context, event) => {
        const d = draft(context, event);
        if (policy.childMissingEducation) d.notify(policy.childMissingEducation.notify);
        d.task('childMissingEducation', 'Complete the Missing from Education form and keep the pupil on roll until the EWO agrees');
        d.patch.notified = { ...context.notified, missingEducationOn: event.at };
        return d;
      }),
      planMultiAgencySupport: effectful((context, event) => {
        const d = draft(context, event);
        if (policy.severeAbsence) d.tasks([policy.severeAbsence.task]);
        d.patch.notified = { ...context.notified, multiAgencyPlanOn: event.at };
        return d;
      }),
      notifyUnexplainedAbsence: effectful((context, event) => {
        const d = draft(context, event);
        d.notify(policy.unexplainedAbsence.notify);
        return d;
      }),
      raiseMilestoneTask: effectful((context, event) => {
        const d = draft(context, event);
        const milestone =
          event.type === 'ABSENCE_MILESTONE'
            ? policy.absenceMilestones?.milestones.find((candidate) => candidate.id === event.milestone)
            : undefined;
        if (milestone) d.tasks([milestone.task]);
        return d;
      }),
      raiseFaceToFaceTask: effectful((context, event) => {
        const d = draft(context, event);
        const rule = policy.vulnerability;
        if (rule && event.type === 'ABSENCE_CONTINUES')
          d.task(
            rule.task.kind,
            `Face-to-face contact with the learner and family (day ${event.consecutiveDaysAbsent} of absence, ${context.vulnerability ?? 'GREEN'})`,
            rule.task.dueIn,
          );
        return d;
      }),
      rateVulnerability: effectful((context, event) => {
        if (event.type !== 'VULNERABILITY_RATED') return { effects: [], patch: {} };
        const d = draft(context, event);
        d.patch.vulnerability = event.rating;
        const assessment = policy.vulnerability?.riskAssessment;
        if (assessment && assessment.rating === event.rating && context.vulnerability !== event.rating) d.tasks([assessment.task]);
        return d;
      }),
  };
}
