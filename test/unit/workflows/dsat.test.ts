import { describe, expect, it } from 'vitest';
import { evaluatePupil, isReviewDay } from '../../../src/domain/evaluate.ts';
import { CaseRunner } from '../../../src/simulator/case-runner.ts';
import { workflow } from '../../../workflows/dsat.ts';
import { calendarFor } from '../../../workflows/index.ts';
import { effectTypes, evidence, fire, measurements, view } from '../machines/support.ts';

// Seed 004, "Monitoring Absence" (traffic light over a fixed 6-week period), Wiltshire term dates.
const calendar = calendarFor(workflow);
const open = (pct: number) => {
  const runner = new CaseRunner(workflow, calendar, { caseId: 'd-1', upn: 'D1', parents: [{ id: 'mum' }] });
  const opened = runner.send({ type: 'OPEN', at: '2024-10-14', evidence: evidence(pct) });
  return { runner, opened };
};

describe('DSAT schools', () => {
  it.each([
    [95, 'open.yellowLetter', 'dsat/yellow-letter'],
    [92, 'open.amberLetter', 'dsat/amber-letter'],
    [90, 'open.redLetter', 'dsat/red-letter'],
  ])('when a 6-week period ends at %d%%, then the case starts at %s', (pct, state, letter) => {
    const { runner, opened } = open(pct);
    expect(runner.state).toBe(state);
    expect(effectTypes(opened)[0]).toBe(`sendLetter:${letter}`);
    // The next review is the end of the next 6-week period: 30 school days, over half term.
    expect(runner.timer('review')?.dueDate).toBe('2024-12-02');
  });

  it('when the red letter goes, then a School Attendance Meeting is arranged; no improvement brings a further meeting and the EWS', () => {
    const { runner, opened } = open(88);
    expect(effectTypes(opened)).toContain('createTask:meeting');
    runner.send({ type: 'MEETING_HELD', at: '2024-10-24' });
    const further = fire(runner, 'review', evidence(87, -1));
    expect(runner.state).toBe('open.furtherMeeting');
    expect(effectTypes(further)).toContain('notify:dsat/ews-involvement');
    const penalty = fire(runner, 'review', evidence(86, -1));
    expect(effectTypes(penalty)).toContain('createTask:penaltyRecommendation');
  });

  it('when a pupil is away 10 school days and the parents have not responded, then the Missing from Education form goes to the EWS', () => {
    const { runner } = open(70);
    const m = measurements('2024-10-28', { attendancePct: 70, consecutiveDaysAbsent: 10 }, { absentToday: true });
    const answered = evaluatePupil({ policy: workflow.policy, measurements: m, flags: { parentResponded: true }, case: view(runner), reviewDay: false });
    expect(answered.map((event) => event.type)).not.toContain('CHILD_MISSING_EDUCATION');
    const silent = evaluatePupil({ policy: workflow.policy, measurements: m, flags: { parentResponded: false }, case: view(runner), reviewDay: false });
    const cme = silent.find((event) => event.type === 'CHILD_MISSING_EDUCATION');
    expect(effectTypes(runner.send(cme as never))).toEqual(['notify:dsat/missing-from-education-form', 'createTask:childMissingEducation']);
  });

  it('when a pupil is severely absent, then a multi-agency plan is started once', () => {
    const { runner } = open(45);
    const m = measurements('2024-10-15', { attendancePct: 45, severeAbsence: true });
    const [event] = evaluatePupil({ policy: workflow.policy, measurements: m, flags: {}, case: view(runner), reviewDay: false });
    expect(effectTypes(runner.send(event as never))).toEqual(['createTask:multiAgencyPlan']);
    expect(runner.send(event as never).changed).toBe(false);
  });

  it('when the weeks pass, then the traffic light is reviewed at the end of every 6th week', () => {
    const mondays = Array.from({ length: 14 }, (_, i) => calendar.addSchoolDays('2024-09-02', i * 5)).filter((d) => isReviewDay(workflow.policy, calendar, d));
    // After 6 and 12 school weeks; the October half term is not a school week.
    expect(mondays).toEqual(['2024-10-14', '2024-12-02']);
  });
});
