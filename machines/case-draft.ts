import { enqueueActions } from 'xstate';
import type { ActionFunction, ParameterizedObject } from 'xstate';
import type { SchoolCalendar } from '../src/domain/calendar.ts';
import { penaltyNoticeEligibility } from '../src/domain/penalty-notices.ts';
import { addDuration } from '../src/domain/policy-durations.ts';
import type { Duration, Notification, Policy, TaskRule } from '../src/domain/policy.ts';
import type { IsoDate } from '../src/domain/types.ts';
import type { CancelTimerParams, CaseContext, CaseEvent, CaseInput, CreateTaskParams, Effect, Evidence, NotifyParams, PenaltyNoticeRecord, SendLetterParams, StageSteps, StartTimerParams, Timer, TimerEventType } from '../src/domain/case-types.ts';

export interface Step {
  effects: Effect[];
  patch: Partial<CaseContext>;
}

export type Params = ParameterizedObject['params'] | undefined;

/**
 * One action that both changes the context and emits effects, computed from a single draft.
 * Built outside setup() so the many actions share it; the cast narrows enqueueActions' open
 * actor/action generics to "none", which is what setup() checks an implementation against.
 */
export function effectful<P extends Params>(run: (context: CaseContext, event: CaseEvent, params: P) => Step) {
  return enqueueActions<CaseContext, CaseEvent, P, CaseEvent>(({ context, event, enqueue }, params) => {
    const { effects, patch } = run(context, event, params);
    for (const effect of effects) enqueue(effect);
    if (Object.keys(patch).length > 0) enqueue.assign(patch);
  }) as unknown as ActionFunction<CaseContext, CaseEvent, CaseEvent, P, never, never, never, never, never>;
}

export function evidenceOf(event: CaseEvent): Evidence | null {
  return 'evidence' in event ? event.evidence : null;
}

/** One-off notifications start afresh each time the case opens. */
export const NOTHING_NOTIFIED: CaseContext['notified'] = { sicknessReturnOn: null, missingEducationOn: null, multiAgencyPlanOn: null };

export function initialContext(input: CaseInput): CaseContext {
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
    stageSteps: null,
  };
}

/**
 * The steps recorded at `stage` since the case entered it. A case stored before steps were kept
 * has its last meeting and contract to go by.
 */
export function stepsAt(context: CaseContext, stage: string): StageSteps {
  const kept = context.stageSteps;
  if (kept && kept.stage === stage) return kept;
  const none: StageSteps = { stage, since: context.openedOn ?? '', meetingHeldOn: null, meetingsMissed: 0, contractAgreedOn: null, contractDeclinedOn: null };
  if (kept !== undefined || context.stage !== stage) return none;
  const meeting = context.lastMeeting;
  return {
    ...none,
    meetingHeldOn: meeting?.stage === stage && meeting.attended ? meeting.on : null,
    contractAgreedOn: context.contract?.agreedOn ?? null,
  };
}


/**
 * The helpers every action and guard of one policy's chart shares: the draft of an action's
 * effects and context changes, and the questions asked of the case's timers and notices.
 */
export function caseTools(policy: Policy, calendar: SchoolCalendar | undefined) {
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

  return { draft, currentTimer, timerName, eligibility, noticesAwaiting, pctOf };
}

export type CaseTools = ReturnType<typeof caseTools>;
