import type { CaseEvent, Decision, Parent } from '../domain/case-types.ts';
import type { Workflow } from '../../machines/workflow.ts';
import type { SchoolCalendar } from '../domain/calendar.ts';
import { addDays, compareDates } from '../domain/dates.ts';
import { evaluatePupil, isReviewDay, measure, timerEvent } from '../domain/evaluate.ts';
import { CONSIDERATIONS } from '../domain/penalty-notices.ts';
import type { Considerations } from '../domain/penalty-notices.ts';
import { pupilFlags, ratingOf } from '../domain/pupil-flags.ts';
import type { IsoDate, Mark } from '../domain/types.ts';
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
      if (first !== 'convicted' && first !== 'acquitted' && first !== 'withdrawn') throw new Error(`${action.upn}: COURT_OUTCOME '${first}'`);
      return { type: 'COURT_OUTCOME', at, outcome: first };
    case 'CASE_WITHDRAWN':
      return { type: 'CASE_WITHDRAWN', at, reason: action.detail || 'withdrawn by the school' };
    case 'VULNERABILITY_RATED':
      if (first !== 'RED' && first !== 'AMBER' && first !== 'GREEN') throw new Error(`${action.upn}: vulnerability '${first}'`);
      return { type: 'VULNERABILITY_RATED', at, rating: first };
    default:
      throw new Error(`${action.upn}: unknown staff action '${action.action}' on ${at}`);
  }
}

function count(into: Record<string, number>, key: string): void {
  into[key] = (into[key] ?? 0) + 1;
}

export function simulate(input: SimulationInput): { lines: SimulationLine[]; summary: SimulationSummary } {
  const { workflow, calendar, from, to } = input;
  const { policy } = workflow;
  const pupils = [...input.pupils].sort((a, b) => a.upn.localeCompare(b.upn));
  const marksByPupil = new Map<string, Mark[]>();
  for (const mark of input.marks) marksByPupil.set(mark.upn, [...(marksByPupil.get(mark.upn) ?? []), mark]);
  // In date and session order, as the store streams them: the parent-response flag reads the latest run.
  for (const marks of marksByPupil.values()) marks.sort((a, b) => compareDates(a.date, b.date) || a.session.localeCompare(b.session));
  const runners = new Map<string, CaseRunner>();
  const lines: SimulationLine[] = [];

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
    if (record.changed)
      lines.push({ date, upn, caseId: record.caseId, event: event.type, from: record.from, to: record.to, effects: record.effects });
  };
  const snapshotOf = (runner: CaseRunner | undefined) => (runner ? { value: runner.value, context: runner.context } : null);

  for (let date = from; compareDates(date, to) <= 0; date = addDays(date, 1)) {
    for (const action of input.actions.filter((candidate) => candidate.date === date)) {
      const runner = runners.get(action.upn);
      if (!runner) throw new Error(`${action.upn}: ${action.action} on ${date} but the pupil has no case`);
      send(date, action.upn, runner, staffEvent(action, input.parents[action.upn] ?? []));
    }
    const schoolDay = calendar.isSchoolDay(date);
    const reviewDay = isReviewDay(policy, calendar, date);
    for (const pupil of pupils) {
      if (!pupil.onRoll) continue;
      const marks = marksByPupil.get(pupil.upn) ?? [];
      const existing = runners.get(pupil.upn);
      const view = () => snapshotOf(existing);
      if (schoolDay) {
        const measurements = measure({ policy, calendar, marks, asOf: date, case: view() });
        const events = evaluatePupil({ policy, measurements, flags: pupilFlags(pupil.vulnerability, marks, date), case: view(), reviewDay });
        for (const event of events) send(date, pupil.upn, runnerFor(pupil), event);
      }
      const runner = runners.get(pupil.upn);
      if (!runner) continue;
      // A timer fires once its date has come; firing one may start another already due.
      const fired = new Set<string>();
      for (let due = runner.dueTimers(date)[0]; due; due = runner.dueTimers(date)[0]) {
        if (fired.has(due.timer.timerId)) throw new Error(`${runner.caseId}: timer ${due.name} outlived its own event in ${runner.state}`);
        fired.add(due.timer.timerId);
        const asOf = schoolDay ? date : calendar.previousSchoolDay(date);
        const measurements = measure({ policy, calendar, marks, asOf, case: snapshotOf(runner) });
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
  };
  for (const runner of [...runners.values()]) count(summary.finalStates, runner.state);
  for (const line of lines)
    for (const effect of line.effects) {
      count(summary.effects, effect.type);
      if (effect.type === 'sendLetter') count(summary.letters, effect.params.template);
    }
  return { lines, summary };
}
