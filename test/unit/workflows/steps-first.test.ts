import { describe, expect, it } from 'vitest';
import { CaseRunner } from '../../../src/simulator/case-runner.ts';
import { calendarFor } from '../../../workflows/index.ts';
import { workflow as dsat } from '../../../workflows/dsat.ts';
import { workflow as francisBaily } from '../../../workflows/francis-baily.ts';
import { workflow as hallGreen } from '../../../workflows/hall-green.ts';
import { workflow as kennet } from '../../../workflows/kennet.ts';
import { workflow as whitelandsPark } from '../../../workflows/whitelands-park.ts';
import type { Workflow } from '../../../machines/workflow.ts';
import { effectTypes, evidence, fire } from '../machines/support.ts';

// Issue 20 item 2: a case escalates only after the step the seed puts first. A review date alone
// never stands in for a meeting; parents who do not come are recorded and invited again.

const runnerFor = (workflow: Workflow) =>
  new CaseRunner(workflow, calendarFor(workflow), { caseId: `${workflow.id}-steps`, upn: 'S1', parents: [{ id: 'carer' }] });

/** An Equinox case at Letter 2: Letter 1, then a review with attendance still falling. */
function atLetter2(workflow: Workflow) {
  const runner = runnerFor(workflow);
  runner.send({ type: 'OPEN', at: '2024-09-16', evidence: evidence(94) });
  fire(runner, 'review', evidence(93, -1));
  expect(runner.state).toBe('open.letter2');
  // The meeting three school days after Letter 2.
  const met = calendarFor(workflow).addSchoolDays(runner.context.stageSteps!.since, 3);
  return { runner, met };
}

describe.each([
  { workflow: kennet, quote: 'seed 001 Appendix 1: "Letter 3: Attendance fails to improve following parental meeting and Attendance Support Contract"' },
  { workflow: francisBaily, quote: 'seed 001 §10: "third letter where there is concern that despite the Attendance Support contract there has been a further decline"' },
  { workflow: whitelandsPark, quote: 'seed 001 §10: "third letter where there is concern that despite the Attendance Support contract there has been a further decline"' },
])('$workflow.id, $quote', ({ workflow }) => {
  it('when a review finds no improvement at Letter 2 and no meeting or contract is recorded, then no Letter 3: the parents are invited again', () => {
    const { runner } = atLetter2(workflow);
    const review = fire(runner, 'review', evidence(92.5, -0.5));
    expect(runner.state).toBe('open.letter2');
    expect(effectTypes(review)).not.toContain(`sendLetter:${workflow.id}/letter-3`);
    expect(effectTypes(review)).toEqual(['cancelTimer:review', 'createTask:meeting', 'startTimer:review']);
    const task = review.effects.find((effect) => effect.type === 'createTask');
    expect((task?.params as { title: string }).title).toMatch(/Letter 3 comes only after the meeting to agree an Attendance Support Contract held with the parents and an agreed Attendance Support Contract/);
  });

  it('when the meeting is held but no contract agreed, then Letter 3 still waits', () => {
    const { runner, met } = atLetter2(workflow);
    runner.send({ type: 'MEETING_HELD', at: met });
    fire(runner, 'review', evidence(92.5, -0.5));
    expect(runner.state).toBe('open.letter2');
  });

  it('when the meeting agrees the contract, then the next review is the contract’s own, and only then, without improvement, Letter 3', () => {
    const { runner, met } = atLetter2(workflow);
    const stageReview = runner.timer('review');
    runner.send({ type: 'MEETING_HELD', at: met });
    const agreed = runner.send({ type: 'CONTRACT_AGREED', at: met });
    expect(effectTypes(agreed)).toEqual(['cancelTimer:review', 'startTimer:review']);
    const contractReview = workflow.policy.attendanceContract.review;
    expect(runner.timer('review')?.dueDate).toBe(calendarFor(workflow).addSchoolDays(met, contractReview.amount * 5));
    // The stage's own review, due before the contract's, no longer fires.
    const early = runner.send({ type: 'REVIEW_DUE', at: stageReview!.dueDate, timerId: stageReview!.timerId, evidence: evidence(92, -1) });
    expect(early.changed).toBe(false);
    const third = fire(runner, 'review', evidence(92, -1));
    expect(runner.state).toBe('open.letter3');
    expect(effectTypes(third)).toContain(`sendLetter:${workflow.id}/letter-3`);
  });

  it('when the parents do not attend, then it is recorded and they are invited again; the case stays at Letter 2', () => {
    const { runner, met } = atLetter2(workflow);
    const missed = runner.send({ type: 'PARENT_DID_NOT_ATTEND', at: met });
    expect(missed.changed).toBe(true);
    expect(runner.state).toBe('open.letter2');
    expect(runner.context.lastMeeting).toEqual({ stage: 'letter2', on: met, attended: false });
    expect(runner.context.stageSteps?.meetingsMissed).toBe(1);
    expect(effectTypes(missed)).toEqual(['createTask:meeting']);
    expect((missed.effects[0]?.params as { title: string }).title).toBe(
      'The parents did not attend the meeting to agree an Attendance Support Contract: invite them again',
    );
  });

  it('when the parents decline the contract, then it is recorded and staff choose another intervention; no Letter 3 claims a contract', () => {
    const { runner, met } = atLetter2(workflow);
    runner.send({ type: 'MEETING_HELD', at: met });
    const declined = runner.send({ type: 'CONTRACT_DECLINED', at: met });
    expect(effectTypes(declined)).toEqual(['createTask:anotherIntervention']);
    expect(runner.context.contract?.declinedOn).toBe(met);
    fire(runner, 'review', evidence(92, -1));
    expect(runner.state).toBe('open.letter2');
  });
});

describe('Hall Green, seed 002: "Refer the matter to the Local Authority for relevant legal sanctions, if attendance deteriorates following the above actions. (Stage 3)"', () => {
  const atStage2 = () => {
    const runner = runnerFor(hallGreen);
    runner.send({ type: 'OPEN', at: '2024-10-14', evidence: evidence(94.8) });
    fire(runner, 'review', evidence(94, -0.8));
    expect(runner.state).toBe('open.stage2');
    return runner;
  };

  it('when attendance deteriorates but the Stage 2 meeting was never held, then no referral to the LA: the parents are invited again', () => {
    const runner = atStage2();
    const review = fire(runner, 'review', evidence(93, -1));
    expect(runner.state).toBe('open.stage2');
    expect(effectTypes(review)).not.toContain('notify:hall-green/stage-3-referral');
    expect(effectTypes(review)).toContain('createTask:meeting');
  });

  it('when the parents miss the Stage 2 meeting, then it is recorded and they are invited again; held later, the next review refers to the LA', () => {
    const runner = atStage2();
    const missed = runner.send({ type: 'PARENT_DID_NOT_ATTEND', at: '2024-11-25' });
    expect(effectTypes(missed)).toEqual(['createTask:meeting']);
    fire(runner, 'review', evidence(93, -1));
    expect(runner.state).toBe('open.stage2');
    runner.send({ type: 'MEETING_HELD', at: '2025-01-06' });
    const stage3 = fire(runner, 'review', evidence(92, -1));
    expect(runner.state).toBe('open.stage3');
    expect(effectTypes(stage3)).toContain('notify:hall-green/stage-3-referral');
  });
});

describe('DSAT, seed 004: "If, following an initial meeting, there is no improvement in attendance, a further meeting will be called"', () => {
  const atRed = () => {
    const runner = runnerFor(dsat);
    runner.send({ type: 'OPEN', at: '2024-10-14', evidence: evidence(88) });
    expect(runner.state).toBe('open.redLetter');
    return runner;
  };

  it('when no initial meeting is recorded, then no further meeting and no Education Welfare Service: the parents are invited again', () => {
    const runner = atRed();
    const review = fire(runner, 'review', evidence(87, -1));
    expect(runner.state).toBe('open.redLetter');
    expect(effectTypes(review)).not.toContain('notify:dsat/ews-involvement');
    expect(effectTypes(review)).toContain('createTask:meeting');
  });

  it('when the initial meeting was held and attendance has not improved, then the further meeting and the EWS', () => {
    const runner = atRed();
    runner.send({ type: 'MEETING_HELD', at: '2024-10-24' });
    const further = fire(runner, 'review', evidence(87, -1));
    expect(runner.state).toBe('open.furtherMeeting');
    expect(effectTypes(further)).toContain('notify:dsat/ews-involvement');
  });

  it('when the parents miss the initial meeting, then it is recorded and they are invited again', () => {
    const runner = atRed();
    const missed = runner.send({ type: 'PARENT_DID_NOT_ATTEND', at: '2024-10-24' });
    expect(runner.state).toBe('open.redLetter');
    expect(effectTypes(missed)).toEqual(['createTask:meeting']);
  });
});
