import { describe, expect, it } from 'vitest';
import { concern, evaluatePupil } from '../../../src/domain/evaluate.ts';
import { CaseRunner } from '../../../src/simulator/case-runner.ts';
import { workflow } from '../../../workflows/hall-green.ts';
import { calendarFor } from '../../../workflows/index.ts';
import { effectTypes, evidence, fire, measurements, view } from '../machines/support.ts';

// Seed 002, "Absence Procedures", with Sandwell's 2024-25 term dates.
const calendar = calendarFor(workflow);
const open = () => {
  const runner = new CaseRunner(workflow, calendar, { caseId: 'hg-1', upn: 'H1', parents: [{ id: 'dad' }] });
  runner.send({ type: 'OPEN', at: '2024-10-14', evidence: evidence(94.8) });
  return runner;
};

describe('Hall Green Primary School', () => {
  it('when attendance is below 95%, then the Stage 1 letter goes home and the case is reviewed 20 school days later, after half term', () => {
    const runner = open();
    expect(runner.state).toBe('open.stage1');
    expect(runner.context.lastLetter?.template).toBe('hall-green/stage-1-letter');
    expect(runner.timer('review')?.dueDate).toBe('2024-11-18');
  });

  it('when punctuality is the concern, then a case opens even at good attendance', () => {
    const m = measurements('2024-10-14', { attendancePct: 97, lates: 8, lateAfterRegister: 2 });
    expect(concern(workflow.policy, m)).toBe('10 late arrivals: punctuality is a concern');
  });

  it('when attendance reaches 95% but not the 95.5% target, then the case stays open; at 95.6% it closes', () => {
    const runner = open();
    fire(runner, 'review', evidence(95.2, 0.4));
    expect(runner.state).toBe('open.stage1');
    fire(runner, 'review', evidence(95.6, 0.4));
    expect(runner.state).toBe('closed');
  });

  it('when attendance deteriorates after the Stage 2 meeting and plan, then Stage 3 refers the case to the local authority', () => {
    const runner = open();
    const stage2 = fire(runner, 'review', evidence(94, -0.8));
    expect(effectTypes(stage2)).toEqual([
      'cancelTimer:review',
      'sendLetter:hall-green/stage-2-meeting-invitation',
      'createTask:meeting',
      'createTask:supportPlan',
      'createTask:signposting',
      'startTimer:review',
    ]);
    runner.send({ type: 'MEETING_HELD', at: '2024-11-25' });
    const stage3 = fire(runner, 'review', evidence(93, -1));
    expect(runner.state).toBe('open.stage3');
    expect(effectTypes(stage3)).toContain('notify:hall-green/stage-3-referral');
  });

  it('when a pupil has 15 school days of illness, then the sickness return goes to the LA once', () => {
    const runner = open();
    const m = measurements('2024-11-20', { attendancePct: 84, illnessDays: 15 });
    const [event] = evaluatePupil({ policy: workflow.policy, measurements: m, flags: {}, case: view(runner), reviewDay: false });
    expect(event?.type).toBe('SICKNESS_RETURN_DUE');
    expect(effectTypes(runner.send(event as never))).toEqual(['notify:hall-green/sickness-return']);
    expect(evaluatePupil({ policy: workflow.policy, measurements: m, flags: {}, case: view(runner), reviewDay: false })).toEqual([]);
  });
});
