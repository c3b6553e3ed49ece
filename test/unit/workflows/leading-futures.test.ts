import { describe, expect, it } from 'vitest';
import { evaluatePupil } from '../../../src/domain/evaluate.ts';
import { CaseRunner } from '../../../src/simulator/case-runner.ts';
import { calendarFor } from '../../../workflows/index.ts';
import { workflow } from '../../../workflows/leading-futures.ts';
import type { VulnerabilityRating } from '../../../src/domain/policy.ts';
import { considered, effectTypes, evidence, fire, measurements, view } from '../machines/support.ts';

// Seed 003, Appendices 2 and 3, with Wolverhampton's 2024-25 term dates.
const calendar = calendarFor(workflow);
const open = (vulnerability: VulnerabilityRating = 'GREEN') => {
  const runner = new CaseRunner(workflow, calendar, { caseId: 'lf-1', upn: 'L1', parents: [{ id: 'mum' }], vulnerability });
  const opened = runner.send({ type: 'OPEN', at: '2024-10-14', evidence: evidence(88) });
  return { runner, opened };
};

describe('Leading Futures Alternative Provision', () => {
  it('when attendance is under 90%, then SAL 1 goes home, the home school gets a copy and the 3-week review is set', () => {
    const { runner, opened } = open();
    expect(effectTypes(opened)).toEqual([
      'sendLetter:leading-futures/sal-1',
      'notify:leading-futures/sal-1-copy',
      'createTask:meeting',
      'startTimer:review',
    ]);
    // 15 school days, across half term.
    expect(runner.timer('review')?.dueDate).toBe('2024-11-11');
  });

  it('when there is no improvement at 3 weeks, then SAL 2 and a support meeting; then the Attendance Action Plan with the EWO', () => {
    const { runner } = open();
    fire(runner, 'review', evidence(87, -1));
    expect(runner.state).toBe('open.sal2');
    const plan = fire(runner, 'review', evidence(86, -1));
    expect(runner.state).toBe('open.attendanceActionPlan');
    expect(effectTypes(plan)).toEqual(expect.arrayContaining(['notify:leading-futures/ewo-referral', 'notify:leading-futures/action-plan']));
  });

  it('when a legal step is chosen, then it is requested from the home school, with an improvement period of 3 to 6 weeks', () => {
    const { runner } = open();
    runner.send({ type: 'THRESHOLD_MET', at: '2024-10-21', evidence: evidence(85) });
    const request = runner.send(considered('2024-10-22', 'noticeToImprove'));
    expect(effectTypes(request)).toEqual(['notify:leading-futures/notice-to-improve-request']);
    expect(runner.send({ type: 'NTI_ISSUED', at: '2024-11-04', improvementPeriod: 7 }).changed).toBe(false);
    runner.send({ type: 'NTI_ISSUED', at: '2024-11-04', improvementPeriod: 4 });
    expect(runner.context.noticeToImprove).toEqual({ issuedOn: '2024-11-04', endsOn: '2024-12-02' });
    const absence = runner.send({ type: 'UNAUTHORISED_ABSENCE', at: '2024-11-12', evidence: evidence(84) });
    expect(effectTypes(absence)).toContain('notify:leading-futures/penalty-notice-request');
  });

  it.each([
    ['RED', [1, 2, 3, 4, 5]],
    ['AMBER', [3]],
    ['GREEN', [5]],
  ] as const)('when a %s learner is absent day after day, then face-to-face contact is due on days %j', (rating, due) => {
    const { runner } = open(rating);
    const days = [1, 2, 3, 4, 5].filter((day) => {
      const m = measurements('2024-10-15', { attendancePct: 85, consecutiveDaysAbsent: day }, { absentToday: true });
      const events = evaluatePupil({ policy: workflow.policy, measurements: m, flags: { vulnerability: rating }, case: view(runner), reviewDay: false });
      return events.some((event) => effectTypes(runner.send(event)).includes('createTask:faceToFaceContact'));
    });
    expect(days).toEqual(due);
  });

  it('when a learner is re-rated RED, then a full risk assessment is asked for', () => {
    const { runner } = open('AMBER');
    const rated = runner.send({ type: 'VULNERABILITY_RATED', at: '2024-10-16', rating: 'RED' });
    expect(effectTypes(rated)).toEqual(['createTask:riskAssessment']);
    expect(runner.context.vulnerability).toBe('RED');
  });
});
