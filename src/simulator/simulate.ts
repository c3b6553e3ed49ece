import type { CaseEvent, Decision, Parent } from '../domain/case-types.ts';
import type { Workflow } from '../../machines/workflow.ts';
import type { SchoolCalendar } from '../domain/calendar.ts';
import { addDays, compareDates } from '../domain/dates.ts';
import { evaluatePupil, isBandReviewDay, isReviewDay, measure, timerEvent } from '../domain/evaluate.ts';
import { CONSIDERATIONS, penaltyNoticeEligibility } from '../domain/penalty-notices.ts';
import type { Considerations } from '../domain/penalty-notices.ts';
import { pupilFlags, ratingOf } from '../domain/pupil-flags.ts';
import type { IsoDate, Mark } from '../domain/types.ts';
import { bandDutyTasks, dailyDutyTasks } from '../cases/daily-duties.ts';
import { unresolvedNCodeTask } from '../cases/register-duties.ts';
import { CaseRunner } from './case-runner.ts';
import type { TransitionRecord } from './case-runner.ts';

/**
 * Runs a workflow over a register with no database: day by day, staff actions first, then the
 * evaluation the school's cadence calls for, then the timers that fall due. Deterministic: the
 * same input always gives the same lines.
 */

/** A pupil as the MIS lists them; their flags for each day follow from these and their marks. */
export interface Pupil {
  upn: string;
  /** Flags such as ehcp, lac, social_worker, red. */
  vulnerability: string[];
  /** A pupil off roll is not evaluated, as in the service. */
  onRoll: boolean;
}

export interface StaffAction {
  date: IsoDate;
  upn: string;
  action: string;
  detail: string;
}

export interface SimulationInput {
  workflow: Workflow;
  calendar: SchoolCalendar;
  pupils: Pupil[];
  parents: Record<string, Parent[]>;
  marks: Mark[];
  actions: StaffAction[];
  from: IsoDate;
  to: IsoDate;
}

export interface SimulationLine {
  date: IsoDate;
  upn: string;
  caseId: string;
  event: string;
  from: string;
  to: string;
  effects: TransitionRecord['effects'];
}

/** A task for staff: one a case's step set, or a duty owed for the pupil with or without a case. */
export interface TaskLine {
  date: IsoDate;
  upn: string;
  caseId: string | null;
  task: string;
  title: string;
  due: IsoDate;
}

/** A staff action the case did not take, and why. */
export interface RefusedLine {
  date: IsoDate;
  upn: string;
  caseId: string | null;
  refused: string;
  state: string;
  why: string;
}

/** Everything in the order it happened: transitions, tasks and refusals. */
export type StoryLine = ({ line: 'transition' } & SimulationLine) | ({ line: 'task' } & TaskLine) | ({ line: 'refused' } & RefusedLine);

export interface SimulationSummary {
  workflow: string;
  version: number;
  from: IsoDate;
  to: IsoDate;
  pupils: number;
  cases: number;
  transitions: number;
  finalStates: Record<string, number>;
  effects: Record<string, number>;
  letters: Record<string, number>;
  tasks: Record<string, number>;
  refused: number;
}

function considerationsFromActionsFile(): Considerations {
  return Object.fromEntries(
    CONSIDERATIONS.map(({ id }) => [id, { answer: true, rationale: 'recorded by the school (actions file)' }]),
  ) as Considerations;
}

const DECISIONS: readonly Decision[] = [
  'continueSupport',
  'noticeToImprove',
  'penaltyNotice',
  'attendanceContract',
  'educationSupervisionOrder',
  'prosecution',
];

/** Every action actions.csv may name, with the detail it takes: the CLI's help and the README list these. */
export const STAFF_ACTIONS: readonly { action: CaseEvent['type']; detail: string }[] = [
  { action: 'MEETING_HELD', detail: '(none) the stage’s meeting, with a parent there' },
  { action: 'PARENT_DID_NOT_ATTEND', detail: '(none) the stage’s meeting, with no parent there' },
  { action: 'CONSIDERATIONS_RECORDED', detail: `decision[:by], decision one of ${DECISIONS.join(', ')}` },
  { action: 'NTI_ISSUED', detail: '[improvement period, in the policy’s unit, within its range]' },
  { action: 'PENALTY_NOTICE_ISSUED', detail: '[parent id, default the first parent]' },
  { action: 'PENALTY_PAID', detail: '[parent id]' },
  { action: 'LA_DECISION', detail: 'prosecute|withdraw[:parent id]' },
  { action: 'CONTRACT_AGREED', detail: '(none)' },
  { action: 'CONTRACT_DECLINED', detail: '(none)' },
  { action: 'CONTRACT_BREACHED', detail: '(none)' },
  { action: 'ESO_GRANTED', detail: '(none)' },
  { action: 'ESO_REFUSED', detail: '(none)' },
  { action: 'ESO_EXTENDED', detail: '(none)' },
  { action: 'ESO_NON_COMPLIANCE', detail: '(none)' },
  { action: 'PROSECUTION_LAID', detail: '(none)' },
  { action: 'COURT_OUTCOME', detail: 'convicted|acquitted|withdrawn' },
  { action: 'PUPIL_LEFT', detail: '(none)' },
  { action: 'CASE_WITHDRAWN', detail: '[reason]' },
  { action: 'VULNERABILITY_RATED', detail: 'RED|AMBER|GREEN' },
];

/** A line of actions.csv as the event the case receives. */
export function staffEvent(action: StaffAction, parents: readonly Parent[]): CaseEvent {
  const at = action.date;
  const [first = '', second = ''] = action.detail.split(':').map((part) => part.trim());
  const parentId = (id: string) => {
    const chosen = id || parents[0]?.id;
    if (!chosen) throw new Error(`${action.upn}: ${action.action} on ${at} names no parent and the pupil has none`);
    return chosen;
  };
  switch (action.action) {
    case 'MEETING_HELD':
    case 'PARENT_DID_NOT_ATTEND':
    case 'CONTRACT_AGREED':
    case 'CONTRACT_DECLINED':
    case 'CONTRACT_BREACHED':
    case 'ESO_GRANTED':
    case 'ESO_REFUSED':
    case 'ESO_EXTENDED':
    case 'ESO_NON_COMPLIANCE':
    case 'PROSECUTION_LAID':
    case 'PUPIL_LEFT':
      return { type: action.action, at };
    case 'NTI_ISSUED':
      return first ? { type: 'NTI_ISSUED', at, improvementPeriod: Number(first) } : { type: 'NTI_ISSUED', at };
    case 'CONSIDERATIONS_RECORDED': {
      const decision = DECISIONS.find((candidate) => candidate === first);
      if (!decision) throw new Error(`${action.upn}: CONSIDERATIONS_RECORDED needs a decision (${DECISIONS.join(', ')})`);
      return { type: 'CONSIDERATIONS_RECORDED', at, decision, considerations: considerationsFromActionsFile(), by: second || 'school' };
    }
    case 'PENALTY_NOTICE_ISSUED':
    case 'PENALTY_PAID':
      return { type: action.action, at, parentId: parentId(first) };
    case 'LA_DECISION':
      if (first !== 'prosecute' && first !== 'withdraw') throw new Error(`${action.upn}: LA_DECISION is prosecute or withdraw, not '${first}'`);
      return { type: 'LA_DECISION', at, decision: first, parentId: parentId(second) };
    case 'COURT_OUTCOME':
      if (first !== 'convicted' && first !== 'acquitted' && first !== 'withdrawn') throw new Error(`${action.upn}: COURT_OUTCOME is convicted, acquitted or withdrawn, not '${first}'`);
      return { type: 'COURT_OUTCOME', at, outcome: first };
    case 'CASE_WITHDRAWN':
      return { type: 'CASE_WITHDRAWN', at, reason: action.detail || 'withdrawn by the school' };
    case 'VULNERABILITY_RATED':
      if (first !== 'RED' && first !== 'AMBER' && first !== 'GREEN') throw new Error(`${action.upn}: VULNERABILITY_RATED is RED, AMBER or GREEN, not '${first}'`);
      return { type: 'VULNERABILITY_RATED', at, rating: first };
    default:
      throw new Error(`${action.upn}: unknown staff action '${action.action}' on ${at} (known: ${STAFF_ACTIONS.map(({ action: known }) => known).join(', ')})`);
  }
}

/** Tasks carry the time they were raised; a simulation has no clock, so one fixed instant. */
const SIMULATED = new Date(0);

function count(into: Record<string, number>, key: string): void {
  into[key] = (into[key] ?? 0) + 1;
}

/** Why a case did not take a staff action: the rule that refused it, else the state it is in. */
function refusal(runner: CaseRunner, event: CaseEvent, record: TransitionRecord): string | null {
  const notices = runner.context.penaltyNotices;
  if (event.type === 'PENALTY_NOTICE_ISSUED' && !notices.some((notice) => notice.parentId === event.parentId && notice.issuedOn === event.at)) {
    if (!runner.context.parents.some((parent) => parent.id === event.parentId)) return `'${event.parentId}' is not a parent on this case`;
    const rule = penaltyNoticeEligibility(notices, event.parentId, event.at);
    if (!rule.allowed) return rule.reason;
    if (notices.some((notice) => notice.parentId === event.parentId && notice.status === 'awaitingPayment'))
      return 'a penalty notice to this parent is still awaiting payment';
  }
  if (!record.changed) return `the case is at ${record.from}, which does not take ${event.type}`;
  return null;
}

export function simulate(input: SimulationInput): { lines: SimulationLine[]; story: StoryLine[]; summary: SimulationSummary } {
  const { workflow, calendar, from, to } = input;
  const { policy } = workflow;
  const pupils = [...input.pupils].sort((a, b) => a.upn.localeCompare(b.upn));
  const marksByPupil = new Map<string, Mark[]>();
  for (const mark of input.marks) marksByPupil.set(mark.upn, [...(marksByPupil.get(mark.upn) ?? []), mark]);
  // In date and session order, as the store streams them: the parent-response flag reads the latest run.
  for (const marks of marksByPupil.values()) marks.sort((a, b) => compareDates(a.date, b.date) || a.session.localeCompare(b.session));
  const runners = new Map<string, CaseRunner>();
  const lines: SimulationLine[] = [];
  const story: StoryLine[] = [];
  const raised = new Set<string>();
  const task = (date: IsoDate, upn: string, caseId: string | null, id: string, kind: string, title: string, due: IsoDate) => {
    if (raised.has(id)) return;
    raised.add(id);
    story.push({ line: 'task', date, upn, caseId, task: kind, title, due });
  };

  const runnerFor = ({ upn, vulnerability }: Pupil) => {
    let runner = runners.get(upn);
    if (!runner) {
      runner = new CaseRunner(workflow, calendar, {
        caseId: `${policy.id}/${upn}`,
        upn,
        parents: input.parents[upn] ?? [],
        vulnerability: ratingOf(vulnerability) ?? null,
      });
      runners.set(upn, runner);
    }
    return runner;
  };
  const send = (date: IsoDate, upn: string, runner: CaseRunner, event: CaseEvent) => {
    const record = runner.send(event);
    if (record.changed) {
      const line = { date, upn, caseId: record.caseId, event: event.type, from: record.from, to: record.to, effects: record.effects };
      lines.push(line);
      story.push({ line: 'transition', ...line });
      for (const effect of record.effects)
        if (effect.type === 'createTask')
          task(date, upn, record.caseId, `${record.caseId}:${effect.params.kind}:${date}:${story.length}`, effect.params.kind, effect.params.title, effect.params.dueDate);
    }
    return record;
  };
  /** `state`: where the case was when the action came (a refused notice may still move it on). */
  const refuse = (date: IsoDate, upn: string, runner: CaseRunner | undefined, action: string, why: string, state = runner?.state ?? 'no case') =>
    story.push({ line: 'refused', date, upn, caseId: runner?.caseId ?? null, refused: action, state, why });
  const snapshotOf = (runner: CaseRunner | undefined) => (runner ? { value: runner.value, context: runner.context } : null);

  for (let date = from; compareDates(date, to) <= 0; date = addDays(date, 1)) {
    for (const action of input.actions.filter((candidate) => candidate.date === date)) {
      const runner = runners.get(action.upn);
      if (!runner || !runner.matches('open')) {
        refuse(date, action.upn, runner, action.action, runner ? `the case is ${runner.state}` : 'the pupil has no case');
        continue;
      }
      const event = staffEvent(action, input.parents[action.upn] ?? []);
      const record = send(date, action.upn, runner, event);
      const why = refusal(runner, event, record);
      if (why) refuse(date, action.upn, runner, action.action, why, record.from);
    }
    const schoolDay = calendar.isSchoolDay(date);
    const reviewDay = isReviewDay(policy, calendar, date);
    const bandReviewDay = isBandReviewDay(policy, calendar, date);
    for (const pupil of pupils) {
      if (!pupil.onRoll) continue;
      const marks = marksByPupil.get(pupil.upn) ?? [];
      const existing = runners.get(pupil.upn);
      const view = () => snapshotOf(existing);
      if (schoolDay) {
        const measurements = measure({ policy, calendar, marks, asOf: date, case: view(), windowWithinCalendar: true });
        const flags = pupilFlags(pupil.vulnerability, marks, date);
        const openBeforeToday = existing?.matches('open') ?? false;
        const events = evaluatePupil({ policy, measurements, flags, case: view(), reviewDay, bandReviewDay });
        for (const event of events) send(date, pupil.upn, runnerFor(pupil), event);
        // The duties owed whatever the case: as the service raises them, one task each.
        const caseId = runners.get(pupil.upn)?.matches('open') ? (runners.get(pupil.upn)?.caseId ?? null) : null;
        const who = { schoolId: policy.id, upn: pupil.upn, name: pupil.upn };
        const duties = [
          unresolvedNCodeTask(who, marks, calendar, date, null, SIMULATED),
          ...dailyDutyTasks({ policy, calendar, asOf: date, at: SIMULATED }, who, measurements, flags, { openCase: null, openBeforeToday }),
          ...bandDutyTasks({ policy, calendar, asOf: date, at: SIMULATED, bandReviewDay }, who, measurements, { openCase: null, openBeforeToday }),
        ];
        for (const duty of duties) if (duty) task(date, pupil.upn, caseId, duty.id, duty.kind, duty.title, duty.dueDate);
      }
      const runner = runners.get(pupil.upn);
      if (!runner) continue;
      // A timer fires once its date has come; firing one may start another already due.
      const fired = new Set<string>();
      for (let due = runner.dueTimers(date)[0]; due; due = runner.dueTimers(date)[0]) {
        if (fired.has(due.timer.timerId)) throw new Error(`${runner.caseId}: timer ${due.name} outlived its own event in ${runner.state}`);
        fired.add(due.timer.timerId);
        const asOf = schoolDay ? date : calendar.previousSchoolDay(date);
        const measurements = measure({ policy, calendar, marks, asOf, case: snapshotOf(runner), windowWithinCalendar: true });
        send(date, pupil.upn, runner, { ...timerEvent(due.timer, measurements), at: date });
      }
    }
  }

  const summary: SimulationSummary = {
    workflow: workflow.id,
    version: workflow.version,
    from,
    to,
    pupils: pupils.length,
    cases: runners.size,
    transitions: lines.length,
    finalStates: {},
    effects: {},
    letters: {},
    tasks: {},
    refused: 0,
  };
  for (const runner of [...runners.values()]) count(summary.finalStates, runner.state);
  for (const line of lines)
    for (const effect of line.effects) {
      count(summary.effects, effect.type);
      if (effect.type === 'sendLetter') count(summary.letters, effect.params.template);
    }
  for (const line of story) {
    if (line.line === 'task') count(summary.tasks, line.task);
    if (line.line === 'refused') summary.refused += 1;
  }
  return { lines, story, summary };
}
