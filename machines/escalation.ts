import { and, enqueueActions, not, setup } from 'xstate';
import type { ActionFunction, ParameterizedObject } from 'xstate';
import type { SchoolCalendar } from '../src/domain/calendar.ts';
import { compareDates } from '../src/domain/dates.ts';
import {
  FULL_RATE,
  considerationsComplete,
  penaltyNoticeEligibility,
  prosecutionDeadline,
} from '../src/domain/penalty-notices.ts';
import type { Considerations } from '../src/domain/penalty-notices.ts';
import { addDuration, describeDuration, meetsPct } from '../src/domain/policy.ts';
import type { Duration, Notification, Policy, Stage, TaskRule } from '../src/domain/policy.ts';
import type { IsoDate } from '../src/domain/types.ts';
import type {
  CancelTimerParams,
  CaseContext,
  CaseEvent,
  CaseInput,
  ClosureReason,
  CreateTaskParams,
  Decision,
  Effect,
  Evidence,
  NotifyParams,
  PenaltyNoticeRecord,
  SendLetterParams,
  StartTimerParams,
  Timer,
  TimerEventType,
} from '../src/domain/case-types.ts';

/**
 * Marks the states of the legal stages (Notice to Improve, penalty notice, Education Supervision
 * Order, prosecution): every staff event such a state handles, and every event that enters or
 * leaves one, is a legal step for the senior attendance champion. The access rules read it from
 * the chart, so a new legal event is covered when it is added here.
 */
export const LEGAL_TAG = 'legal';

/** The event types handled inside the chart's legal states (pure data read from the machine). */
export function legalEventTypes(machine: { root: LegalNode }): Set<string> {
  const found = new Set<string>();
  const visit = (node: LegalNode, inLegal: boolean) => {
    const legal = inLegal || node.tags.includes(LEGAL_TAG);
    if (legal) for (const type of node.ownEvents) found.add(type);
    for (const child of Object.values(node.states)) visit(child, legal);
  };
  visit(machine.root, false);
  return found;
}

interface LegalNode {
  tags: readonly string[];
  ownEvents: readonly string[];
  states: Record<string, LegalNode>;
}

/**
 * The escalation statechart of one workflow policy. Pure: time comes in on events (`at`), and
 * every effect (letters, notifications, timers, tasks) is an action object with serialisable
 * params that `transition()` returns for the case service to execute.
 */

interface Step {
  effects: Effect[];
  patch: Partial<CaseContext>;
}

type Params = ParameterizedObject['params'] | undefined;

/**
 * One action that both changes the context and emits effects, computed from a single draft.
 * Built outside setup() so the many actions share it; the cast narrows enqueueActions' open
 * actor/action generics to "none", which is what setup() checks an implementation against.
 */
function effectful<P extends Params>(run: (context: CaseContext, event: CaseEvent, params: P) => Step) {
  return enqueueActions<CaseContext, CaseEvent, P, CaseEvent>(({ context, event, enqueue }, params) => {
    const { effects, patch } = run(context, event, params);
    for (const effect of effects) enqueue(effect);
    if (Object.keys(patch).length > 0) enqueue.assign(patch);
  }) as unknown as ActionFunction<CaseContext, CaseEvent, CaseEvent, P, never, never, never, never, never>;
}

function evidenceOf(event: CaseEvent): Evidence | null {
  return 'evidence' in event ? event.evidence : null;
}

/** One-off notifications start afresh each time the case opens. */
const NOTHING_NOTIFIED: CaseContext['notified'] = { sicknessReturnOn: null, missingEducationOn: null, multiAgencyPlanOn: null };

function initialContext(input: CaseInput): CaseContext {
  return {
    caseId: input.caseId,
    upn: input.upn,
    parents: input.parents,
    vulnerability: input.vulnerability ?? null,
    openedOn: null,
    stage: null,
    lastLetter: null,
    lastMeeting: null,
    timers: {},
    timerSeq: 0,
    thresholdMetOn: null,
    offenceOn: null,
    considerations: null,
    noticeToImprove: null,
    penaltyNotices: input.penaltyNoticeHistory ?? [],
    contract: null,
    supervisionOrder: null,
    prosecution: null,
    closure: null,
    notified: NOTHING_NOTIFIED,
  };
}

export interface MachineOptions {
  version: number;
  /** The school's calendar; only school-day durations need it, so a diagram can be drawn without. */
  calendar?: SchoolCalendar;
}

export function createEscalationMachine(policy: Policy, { version, calendar }: MachineOptions) {
  const stages = policy.stages;
  const stageById = new Map(stages.map((stage) => [stage.id, stage]));
  const firstStage = stages[0] as Stage;
  const path = (...keys: string[]) => `#${policy.id}.${keys.join('.')}`;

  /** Collects the effects and context changes of one action against a consistent view of the case. */
  function draft(context: CaseContext, event: CaseEvent) {
    const effects: Effect[] = [];
    const patch: Partial<CaseContext> = {};
    const caseId = context.caseId;
    const due = (duration: Duration, from: IsoDate = event.at) => addDuration(from, duration, calendar);
    const timers = () => patch.timers ?? context.timers;
    return {
      effects,
      patch,
      due,
      letter(template: string) {
        const params: SendLetterParams = { caseId, template, to: 'parents' };
        effects.push({ type: 'sendLetter', params });
      },
      notify({ to, template }: Notification) {
        const params: NotifyParams = { caseId, to, template };
        effects.push({ type: 'notify', params });
      },
      task(kind: string, title: string, dueIn: Duration = policy.tasksDueIn) {
        const params: CreateTaskParams = { caseId, kind, title, dueDate: due(dueIn) };
        effects.push({ type: 'createTask', params });
      },
      tasks(rules: readonly TaskRule[]) {
        for (const rule of rules) this.task(rule.kind, rule.title, rule.dueIn);
      },
      startTimer(name: string, dueDate: IsoDate, timerEvent: TimerEventType, noticeId?: string) {
        const seq = (patch.timerSeq ?? context.timerSeq) + 1;
        const timerId = `${caseId}/${name}/${seq}`;
        const timer: Timer = noticeId ? { timerId, dueDate, event: timerEvent, noticeId } : { timerId, dueDate, event: timerEvent };
        patch.timerSeq = seq;
        patch.timers = { ...timers(), [name]: timer };
        const params: StartTimerParams = { caseId, name, timerId, dueDate, event: timerEvent };
        effects.push({ type: 'startTimer', params });
      },
      cancelTimer(name: string) {
        const timer = timers()[name];
        if (!timer) return;
        const rest = { ...timers() };
        delete rest[name];
        patch.timers = rest;
        const params: CancelTimerParams = { caseId, name, timerId: timer.timerId };
        effects.push({ type: 'cancelTimer', params });
      },
      notices(): PenaltyNoticeRecord[] {
        return patch.penaltyNotices ?? context.penaltyNotices;
      },
      updateNotices(match: (notice: PenaltyNoticeRecord) => boolean, change: Partial<PenaltyNoticeRecord>) {
        patch.penaltyNotices = this.notices().map((notice) => (match(notice) ? { ...notice, ...change } : notice));
      },
    };
  }

  const currentTimer = (context: CaseContext, event: CaseEvent): Timer | undefined =>
    'timerId' in event ? Object.values(context.timers).find((timer) => timer.timerId === event.timerId) : undefined;
  const timerName = (context: CaseContext, timerId: string) =>
    Object.entries(context.timers).find(([, timer]) => timer.timerId === timerId)?.[0];
  const eligibility = (context: CaseContext, parentId: string, on: IsoDate) =>
    penaltyNoticeEligibility(context.penaltyNotices, parentId, on);
  const noticesAwaiting = (context: CaseContext, parentId: string, status: PenaltyNoticeRecord['status']) =>
    context.penaltyNotices.filter((notice) => notice.status === status && notice.parentId === parentId);
  const pctOf = (event: CaseEvent) => evidenceOf(event)?.attendancePct ?? null;

  const machineSetup = setup({
    types: {
      context: {} as CaseContext,
      events: {} as CaseEvent,
      input: {} as CaseInput,
    },
    actions: {
      // Effects: no implementation here on purpose, the case service's outbox runs them.
      sendLetter: (_, _params: SendLetterParams) => {},
      notify: (_, _params: NotifyParams) => {},
      startTimer: (_, _params: StartTimerParams) => {},
      cancelTimer: (_, _params: CancelTimerParams) => {},
      createTask: (_, _params: CreateTaskParams) => {},

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
      recordMeeting: effectful<{ attended: boolean }>((context, event, { attended }) => ({
        effects: [],
        patch: { lastMeeting: { stage: context.stage ?? firstStage.id, on: event.at, attended } },
      })),
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
    },
    guards: {
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
    },
  });

  /** Into a stage from below: the deepest stage attendance already qualifies for, else the next one. */
  function escalations(from: number, guard?: 'timerIsCurrent') {
    const next = stages[from + 1];
    if (!next) return [];
    const deeper = stages
      .slice(from + 2)
      .filter((stage) => stage.entersWhen)
      .reverse()
      .map((stage) => ({
        guard: guard
          ? and([guard, { type: 'entersStage' as const, params: { stage: stage.id } }])
          : { type: 'entersStage' as const, params: { stage: stage.id } },
        target: path('open', stage.id),
        actions: { type: 'escalateTo' as const, params: { stage: stage.id } },
      }));
    return [
      ...deeper,
      {
        ...(guard ? { guard } : {}),
        target: path('open', next.id),
        actions: { type: 'escalateTo' as const, params: { stage: next.id } },
      },
    ];
  }

  function stageState(stage: Stage, index: number) {
    const previous = stages[index - 1];
    const isLast = index === stages.length - 1;
    const stayOrNotImproving = {
      guard: 'timerIsCurrent' as const,
      target: path('open', stage.id),
      reenter: true,
      actions: { type: 'lastStageNotImproving' as const, params: { stage: stage.id } },
    };
    const escalate = isLast ? [stayOrNotImproving] : escalations(index, 'timerIsCurrent');
    const missedMeeting = stage.meeting?.escalateIfNotAttended
      ? isLast
        ? [{ ...stayOrNotImproving, guard: undefined, actions: [{ type: 'recordMeeting' as const, params: { attended: false } }, stayOrNotImproving.actions] }]
        : escalations(index).map((transition) => ({
            ...transition,
            actions: [{ type: 'recordMeeting' as const, params: { attended: false } }, transition.actions],
          }))
      : [{ actions: { type: 'recordMeeting' as const, params: { attended: false } } }];
    return {
      description: `${stage.name}${stage.letter ? ` (${stage.letter})` : ''}: reviewed after ${describeDuration(stage.review)}`,
      entry: { type: 'startStageReview' as const, params: { stage: stage.id } },
      exit: { type: 'stopTimer' as const, params: { name: 'review' } },
      on: {
        REVIEW_DUE: [
          {
            guard: and(['timerIsCurrent', 'reachedTarget']),
            target: path('closed'),
            actions: { type: 'closeCase' as const, params: { reason: 'improved' as const } },
          },
          {
            guard: and(['timerIsCurrent', 'improvedSinceLetter']),
            target: path('open', (previous ?? stage).id),
            reenter: true,
          },
          ...escalate,
        ],
        ...(stage.meeting
          ? {
              MEETING_HELD: { actions: { type: 'recordMeeting' as const, params: { attended: true } } },
              PARENT_DID_NOT_ATTEND: missedMeeting,
            }
          : {}),
        THRESHOLD_MET: { target: path('open', 'considering'), actions: 'recordThreshold' as const },
      },
    };
  }

  const legalRoutes: { decision: Decision; target: string }[] = [
    { decision: 'noticeToImprove', target: path('open', 'noticeToImprove') },
    { decision: 'attendanceContract', target: path('open', 'attendanceContract') },
    { decision: 'educationSupervisionOrder', target: path('open', 'educationSupervisionOrder') },
    { decision: 'prosecution', target: path('open', 'prosecution') },
    { decision: 'continueSupport', target: path('open', 'resumingSupport') },
  ];
  const decided = (decision: Decision) =>
    and(['considerationsComplete', { type: 'decisionIs' as const, params: { decision } }]);

  return machineSetup.createMachine({
    id: policy.id,
    version: String(version),
    context: ({ input }) => initialContext(input),
    initial: 'new',
    description: `${policy.name}: attendance escalation`,
    states: {
      new: {
        description: 'Case created; the concern that opens it arrives as OPEN',
        on: {
          OPEN: [
            ...escalations(-1).map((transition) => ({ ...transition, actions: ['openCase' as const, transition.actions] })),
          ],
        },
      },
      open: {
        description: 'Attendance gives concern: the school works the case through its stages and, if needed, the law',
        initial: firstStage.id,
        on: {
          PUPIL_LEFT: { target: path('closed'), actions: { type: 'closeCase', params: { reason: 'leftSchool' } } },
          CASE_WITHDRAWN: { target: path('closed'), actions: { type: 'closeCase', params: { reason: 'withdrawn' } } },
          SICKNESS_RETURN_DUE: { guard: 'sicknessReturnNotYetSent', actions: 'sendSicknessReturn' },
          UNEXPLAINED_ABSENCE: { actions: 'notifyUnexplainedAbsence' },
          // Rules only some settings have: a workflow without them does not listen for them.
          ...(policy.childMissingEducation
            ? { CHILD_MISSING_EDUCATION: { guard: 'missingEducationNotYetReported', actions: 'reportMissingEducation' } }
            : {}),
          ...(policy.severeAbsence
            ? { SEVERE_ABSENCE: { guard: 'multiAgencyPlanNotYetStarted', actions: 'planMultiAgencySupport' } }
            : {}),
          ...(policy.absenceMilestones
            ? { ABSENCE_MILESTONE: { guard: 'milestoneInPolicy', actions: 'raiseMilestoneTask' } }
            : {}),
          ...(policy.vulnerability
            ? {
                ABSENCE_CONTINUES: { guard: 'faceToFaceContactDue', actions: 'raiseFaceToFaceTask' },
                VULNERABILITY_RATED: { actions: 'rateVulnerability' },
              }
            : {}),
        },
        states: {
          ...Object.fromEntries(stages.map((stage, index) => [stage.id, stageState(stage, index)])),
          resumingSupport: {
            description: 'Back to the support stage the case left for a legal step',
            // Every stage's entry records it, so the first stage is only ever the one left.
            always: [
              ...stages.slice(1).map((stage) => ({
                guard: { type: 'wasAtStage' as const, params: { stage: stage.id } },
                target: path('open', stage.id),
              })),
              { target: path('open', firstStage.id) },
            ],
          },
          considering: {
            description:
              'National threshold met: the school records its five considerations before any legal route is chosen',
            entry: 'requestConsiderations',
            on: {
              CONSIDERATIONS_RECORDED: [
                {
                  guard: and([decided('penaltyNotice'), 'anyParentMayReceivePenaltyNotice']),
                  target: path('open', 'penaltyNotice'),
                  actions: 'recordConsiderations',
                },
                { guard: decided('penaltyNotice'), actions: ['recordConsiderations', 'refusePenaltyNotice'] },
                ...legalRoutes.map(({ decision, target }) => ({
                  guard: decided(decision),
                  target,
                  actions: 'recordConsiderations' as const,
                })),
              ],
            },
          },
          noticeToImprove: {
            tags: [LEGAL_TAG],
            description: `${policy.noticeToImprove.name}: a final chance to engage before a penalty notice`,
            initial: 'requested',
            states: {
              requested: {
                description: `${policy.noticeToImprove.name} requested from the ${policy.legalRequestsTo === 'la' ? 'local authority' : 'home school'}`,
                entry: 'requestNoticeToImprove',
                on: { NTI_ISSUED: { guard: 'improvementPeriodAllowed', target: 'improvementPeriod' } },
              },
              improvementPeriod: {
                description: `Improvement period of ${describeDuration(policy.noticeToImprove.improvementPeriod)}`,
                entry: 'startImprovementPeriod',
                exit: { type: 'stopTimer', params: { name: 'improvementPeriod' } },
                on: {
                  UNAUTHORISED_ABSENCE: [
                    {
                      guard: 'anyParentMayReceivePenaltyNotice',
                      target: path('open', 'penaltyNotice'),
                      actions: 'recordFurtherAbsence',
                    },
                    { target: path('open', 'considering'), actions: ['recordFurtherAbsence', 'refusePenaltyNotice'] },
                  ],
                  IMPROVEMENT_PERIOD_ENDED: { guard: 'timerIsCurrent', target: path('open', 'resumingSupport') },
                },
              },
            },
          },
          penaltyNotice: {
            tags: [LEGAL_TAG],
            description: 'Penalty notice per parent: £80 within 21 days or £160 within 28 (a second notice £160 only)',
            initial: 'requested',
            exit: 'cancelPaymentTimers',
            states: {
              requested: {
                description: `Penalty notice requested from the ${policy.legalRequestsTo === 'la' ? 'local authority' : 'home school'}`,
                entry: 'requestPenaltyNotice',
                on: {
                  PENALTY_NOTICE_ISSUED: [
                    { guard: 'mayIssuePenaltyNotice', target: 'paymentWindow', actions: 'issuePenaltyNotice' },
                    { target: path('open', 'considering'), actions: 'refusePenaltyNotice' },
                  ],
                },
              },
              paymentWindow: {
                description: 'Waiting for payment: reduced rate for 21 days (first notice only), full rate until day 28',
                always: [
                  { guard: and(['noNoticeAwaitingPayment', 'someNoticeUnpaid']), target: 'laDecision' },
                  { guard: 'noNoticeAwaitingPayment', target: path('open', 'resumingSupport') },
                ],
                on: {
                  PENALTY_NOTICE_ISSUED: [
                    { guard: 'mayIssuePenaltyNotice', actions: 'issuePenaltyNotice' },
                    { actions: 'refusePenaltyNotice' },
                  ],
                  REDUCED_RATE_WINDOW_CLOSED: { guard: 'timerIsCurrent', actions: 'closeReducedRateWindow' },
                  PENALTY_PAID: { guard: 'parentHasNoticeAwaitingPayment', actions: 'recordPayment' },
                  PAYMENT_WINDOW_CLOSED: { guard: 'timerIsCurrent', actions: 'closePaymentWindow' },
                },
              },
              laDecision: {
                description: 'Unpaid after 28 days: the local authority decides to prosecute or withdraw the notice',
                always: { guard: not('someNoticeUnpaid'), target: path('open', 'resumingSupport') },
                on: {
                  LA_DECISION: [
                    {
                      guard: and(['parentHasUnpaidNotice', 'laDecidesToProsecute']),
                      target: path('open', 'prosecution'),
                      actions: 'recordLaDecision',
                    },
                    { guard: 'parentHasUnpaidNotice', actions: 'recordLaDecision' },
                  ],
                },
              },
            },
          },
          attendanceContract: {
            description: `${policy.attendanceContract.name}: voluntary, never made without the parents`,
            initial: 'proposed',
            states: {
              proposed: {
                description: 'Meeting to agree the contract; the parents may decline',
                entry: 'proposeContract',
                on: {
                  CONTRACT_AGREED: { target: 'active', actions: { type: 'recordContract', params: { outcome: 'agreed' } } },
                  CONTRACT_DECLINED: {
                    target: path('open', 'considering'),
                    actions: { type: 'recordContract', params: { outcome: 'declined' } },
                  },
                },
              },
              active: {
                description: `In force; reviewed every ${describeDuration(policy.attendanceContract.review)}`,
                entry: 'startContractReview',
                exit: { type: 'stopTimer', params: { name: 'contractReview' } },
                on: {
                  CONTRACT_REVIEW_DUE: [
                    {
                      guard: and(['timerIsCurrent', 'reachedTarget']),
                      target: path('closed'),
                      actions: { type: 'closeCase', params: { reason: 'improved' } },
                    },
                    { guard: and(['timerIsCurrent', 'improvedSinceLetter']), target: 'active', reenter: true },
                    {
                      guard: 'timerIsCurrent',
                      target: path('open', 'considering'),
                      actions: { type: 'recordContract', params: { outcome: 'breached' } },
                    },
                  ],
                  CONTRACT_BREACHED: {
                    target: path('open', 'considering'),
                    actions: { type: 'recordContract', params: { outcome: 'breached' } },
                  },
                },
              },
            },
          },
          educationSupervisionOrder: {
            tags: [LEGAL_TAG],
            description: 'Education Supervision Order: the LA applies to the family court',
            initial: 'applied',
            states: {
              applied: {
                description: 'Application made; waiting for the court',
                entry: 'applyForSupervisionOrder',
                on: {
                  ESO_GRANTED: { target: 'inForce', actions: 'recordSupervisionOrder' },
                  ESO_REFUSED: path('open', 'considering'),
                },
              },
              inForce: {
                description: `Order in force for ${describeDuration(policy.educationSupervisionOrder.initial)}, extendable by ${describeDuration(policy.educationSupervisionOrder.extension)} at a time up to ${describeDuration(policy.educationSupervisionOrder.maximum)}`,
                entry: 'startSupervisionOrder',
                exit: { type: 'stopTimer', params: { name: 'supervisionOrder' } },
                on: {
                  ESO_EXTENDED: { guard: 'extensionAllowed', target: 'inForce', reenter: true, actions: 'extendSupervisionOrder' },
                  ESO_NON_COMPLIANCE: { target: path('open', 'prosecution'), actions: 'recordFurtherAbsence' },
                  ESO_ENDED: { guard: 'timerIsCurrent', target: path('open', 'resumingSupport') },
                },
              },
            },
          },
          prosecution: {
            tags: [LEGAL_TAG],
            description: 'Prosecution under s444(1)/(1A) Education Act 1996: only the LA prosecutes',
            initial: 'preparing',
            states: {
              preparing: {
                description: 'Formal written notice to the parents; must be laid within 6 months of the offence',
                entry: 'prepareProsecution',
                exit: { type: 'stopTimer', params: { name: 'prosecutionTimeLimit' } },
                on: {
                  PROSECUTION_LAID: { guard: 'withinProsecutionTimeLimit', target: 'laid', actions: 'recordProsecution' },
                  PROSECUTION_TIME_LIMIT_REACHED: {
                    guard: 'timerIsCurrent',
                    target: path('open', 'considering'),
                    actions: 'recordTimeBar',
                  },
                },
              },
              laid: {
                description: 'Laid before the magistrates; waiting for the outcome',
                on: { COURT_OUTCOME: { target: path('open', 'resumingSupport'), actions: 'recordProsecution' } },
              },
            },
          },
        },
      },
      closed: {
        description: 'Closed: attendance improved, the pupil left, or the case was withdrawn; reopens if concern returns',
        on: {
          REOPEN: [
            ...escalations(-1).map((transition) => ({ ...transition, actions: ['openCase' as const, transition.actions] })),
          ],
        },
      },
    },
  });
}

export type EscalationMachine = ReturnType<typeof createEscalationMachine>;
