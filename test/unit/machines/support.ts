import { CONSIDERATIONS } from '../../../src/domain/penalty-notices.ts';
import type { Considerations } from '../../../src/domain/penalty-notices.ts';
import type { Decision, Evidence } from '../../../src/domain/case-types.ts';
import type { CaseRunner } from '../../../src/simulator/case-runner.ts';
import type { Measurements } from '../../../src/domain/evaluate.ts';
import type { IsoDate, PupilMetrics } from '../../../src/domain/types.ts';

/** Attendance at the review, and its change since the last letter when one was sent. */
export function evidence(attendancePct: number, delta?: number): Evidence {
  return {
    rule: 'test',
    attendancePct,
    change: delta === undefined ? null : { pctAtSince: attendancePct - delta, pctNow: attendancePct, delta },
  };
}

export const allConsidered: Considerations = Object.fromEntries(
  CONSIDERATIONS.map(({ id }) => [id, { answer: id !== 'support', rationale: `recorded: ${id}` }]),
) as Considerations;

export function considered(at: IsoDate, decision: Decision, considerations: Partial<Considerations> = allConsidered) {
  return { type: 'CONSIDERATIONS_RECORDED' as const, at, decision, considerations, by: 'senior attendance champion' };
}

/** Fires the named timer on its due date, with attendance evidence where the timer needs it. */
export function fire(runner: CaseRunner, name: string, withEvidence: Evidence = evidence(90, -1)) {
  const timer = runner.timer(name);
  if (!timer) throw new Error(`no ${name} timer in ${runner.state}`);
  const { timerId, dueDate: at } = timer;
  switch (timer.event) {
    case 'REVIEW_DUE':
    case 'IMPROVEMENT_PERIOD_ENDED':
    case 'CONTRACT_REVIEW_DUE':
      return runner.send({ type: timer.event, at, timerId, evidence: withEvidence });
    default:
      return runner.send({ type: timer.event, at, timerId });
  }
}

export function effectTypes(record: { effects: { type: string; params: object }[] }): string[] {
  return record.effects.map((effect) => {
    const params = effect.params as Record<string, unknown>;
    return `${effect.type}:${String(params.template ?? params.name ?? params.kind)}`;
  });
}

/** Measurements of a pupil for the evaluator, all quiet unless a test says otherwise. */
export function measurements(at: IsoDate, metrics: Partial<PupilMetrics> = {}, rest: Partial<Measurements> = {}): Measurements {
  return {
    at,
    metrics: {
      asOf: at,
      from: '2024-09-02',
      possibleSessions: 100,
      presentSessions: 96,
      approvedEducationSessions: 0,
      authorisedSessions: 4,
      unauthorisedSessions: 0,
      sessionsByCode: {},
      attendancePct: 96,
      band: null,
      persistentAbsence: false,
      severeAbsence: false,
      unauthorisedInRolling10Weeks: 0,
      nationalThresholdMet: false,
      illnessDays: 0,
      consecutiveDaysAbsent: 0,
      lates: 0,
      lateAfterRegister: 0,
      unresolvedN: 0,
      ...metrics,
    },
    sinceLastLetter: null,
    unauthorisedSinceThreshold: null,
    unauthorisedSinceNotice: null,
    daysAbsentThisWeek: 0,
    absentToday: false,
    unexplainedToday: false,
    lastUnauthorisedOn: null,
    ...rest,
  };
}

/** A case's view for the evaluator. */
export function view(runner: CaseRunner) {
  return { value: runner.value, context: runner.context };
}
