import { describe, expect, it } from 'vitest';
import { CaseRunner } from '../../../src/simulator/case-runner.ts';
import { calendarFor } from '../../../workflows/index.ts';
import { workflow } from '../../../workflows/west-coventry.ts';
import { considered, effectTypes, evidence, fire } from '../machines/support.ts';

// Seed 000, Appendix 2 (Escalation Staged Approach), walked with Coventry's 2024-25 term dates:
// half term 28 Oct–1 Nov, Christmas 23 Dec–3 Jan.
const calendar = calendarFor(workflow);
const open = () => {
  const runner = new CaseRunner(workflow, calendar, { caseId: 'wc-1', upn: 'A123', parents: [{ id: 'mum' }, { id: 'dad' }] });
  const opened = runner.send({ type: 'OPEN', at: '2024-10-14', evidence: evidence(93) });
  return { runner, opened };
};

describe('West Coventry Academy', () => {
  it('when attendance is 93%, then Stage 1a sends Letter A and reviews 20 school days later, after half term', () => {
    const { runner, opened } = open();
    expect(runner.state).toBe('open.stage1a');
    expect(effectTypes(opened)).toEqual([
      'sendLetter:west-coventry/letter-a',
      'createTask:exploreReasons',
      'createTask:homeVisit',
      'startTimer:review',
    ]);
    expect(runner.timer('review')?.dueDate).toBe('2024-11-18');
  });

  it('when Letter A brings no improvement, then Stage 1b sends Letter B and invites to the Informal School Attendance Meeting', () => {
    const { runner } = open();
    const review = fire(runner, 'review', evidence(92, -1));
    expect(runner.state).toBe('open.stage1b');
    expect(effectTypes(review)).toEqual([
      'cancelTimer:review',
      'sendLetter:west-coventry/letter-b',
      'createTask:meeting',
      'createTask:actionPlan',
      'createTask:homeVisit',
      'startTimer:review',
    ]);
    expect(runner.context.lastLetter).toEqual({ template: 'west-coventry/letter-b', sentOn: '2024-11-18', attendancePct: 92 });
  });

  it('when the parent does not attend the informal meeting, then Stage 2 sends Letter C and the LA and CSAWS hear of it', () => {
    const { runner } = open();
    fire(runner, 'review', evidence(92, -1));
    const missed = runner.send({ type: 'PARENT_DID_NOT_ATTEND', at: '2024-11-28' });
    expect(runner.state).toBe('open.stage2');
    expect(effectTypes(missed)).toContain('sendLetter:west-coventry/letter-c');
    expect(effectTypes(missed)).toContain('notify:west-coventry/stage-2-case-discussion');
    expect(effectTypes(missed)).toContain('notify:west-coventry/csaws-referral');
    expect(runner.context.lastMeeting).toEqual({ stage: 'stage1b', on: '2024-11-28', attended: false });
  });

  it('when attendance reaches 95% at a review, then the case closes as improved and its timer is cancelled', () => {
    const { runner } = open();
    const review = fire(runner, 'review', evidence(95.2, 2.2));
    expect(runner.state).toBe('closed');
    expect(runner.context.closure).toEqual({ reason: 'improved', on: '2024-11-18' });
    expect(effectTypes(review)).toEqual(['cancelTimer:review']);
    expect(runner.context.timers).toEqual({});
  });

  it('when the case walks the legal path, then NTI runs 20 school days, absence in it brings a penalty notice, and non-payment at 28 days goes to the LA', () => {
    const { runner } = open();
    fire(runner, 'review', evidence(92, -1));
    runner.send({ type: 'PARENT_DID_NOT_ATTEND', at: '2024-11-28' });

    runner.send({ type: 'THRESHOLD_MET', at: '2024-12-02', evidence: { ...evidence(89), lastUnauthorisedOn: '2024-11-29' } });
    expect(runner.state).toBe('open.considering');

    const nti = runner.send(considered('2024-12-03', 'noticeToImprove'));
    expect(runner.state).toBe('open.noticeToImprove.requested');
    expect(effectTypes(nti)).toEqual(['notify:west-coventry/notice-to-improve-request']);

    runner.send({ type: 'NTI_ISSUED', at: '2024-12-09' });
    expect(runner.state).toBe('open.noticeToImprove.improvementPeriod');
    // 20 school days from 9 December skip the Christmas holiday.
    expect(runner.timer('improvementPeriod')?.dueDate).toBe('2025-01-20');

    runner.send({ type: 'UNAUTHORISED_ABSENCE', at: '2025-01-08', evidence: { ...evidence(88), lastUnauthorisedOn: '2025-01-08' } });
    expect(runner.state).toBe('open.penaltyNotice.requested');
    expect(runner.timer('improvementPeriod')).toBeUndefined();

    runner.send({ type: 'PENALTY_NOTICE_ISSUED', at: '2025-01-10', parentId: 'mum' });
    const [notice] = runner.context.penaltyNotices;
    expect(notice).toMatchObject({ parentId: 'mum', sequence: 1, amountDue: 80, status: 'awaitingPayment' });
    // Payment windows are calendar days: 21 and 28 days from issue.
    expect(runner.timer(`reducedRate:${notice?.id}`)?.dueDate).toBe('2025-01-31');
    expect(runner.timer(`payment:${notice?.id}`)?.dueDate).toBe('2025-02-07');

    fire(runner, `reducedRate:${notice?.id}`);
    expect(runner.context.penaltyNotices[0]?.amountDue).toBe(160);
    const unpaid = fire(runner, `payment:${notice?.id}`);
    expect(runner.state).toBe('open.penaltyNotice.laDecision');
    expect(effectTypes(unpaid)).toContain('notify:national/penalty-notice-unpaid');

    const decision = runner.send({ type: 'LA_DECISION', at: '2025-02-20', parentId: 'mum', decision: 'prosecute' });
    expect(runner.state).toBe('open.prosecution.preparing');
    expect(effectTypes(decision)).toContain('sendLetter:west-coventry/prosecution-formal-notice');
    expect(runner.context.prosecution).toMatchObject({ offenceOn: '2025-01-08', deadline: '2025-07-08' });
  });

  it('when the improvement period ends without further absence, then the case returns to Stage 2', () => {
    const { runner } = open();
    fire(runner, 'review', evidence(92, -1));
    runner.send({ type: 'PARENT_DID_NOT_ATTEND', at: '2024-11-28' });
    runner.send({ type: 'THRESHOLD_MET', at: '2024-12-02', evidence: evidence(89) });
    runner.send(considered('2024-12-03', 'noticeToImprove'));
    runner.send({ type: 'NTI_ISSUED', at: '2024-12-09' });
    fire(runner, 'improvementPeriod', evidence(93, 4));
    expect(runner.state).toBe('open.stage2');
    // 20 school days from 20 January step over the February half term.
    expect(runner.timer('review')?.dueDate).toBe('2025-02-24');
  });

  it('when Stage 3 brings no improvement, then the case stays there and the LA is told support is not working', () => {
    const { runner } = open();
    fire(runner, 'review', evidence(92, -1));
    fire(runner, 'review', evidence(91, -1));
    expect(runner.state).toBe('open.stage2');
    fire(runner, 'review', evidence(90, -1));
    expect(runner.state).toBe('open.stage3');
    const stuck = fire(runner, 'review', evidence(89, -1));
    expect(runner.state).toBe('open.stage3');
    expect(effectTypes(stuck)).toContain('notify:west-coventry/support-not-working');
  });

  it('when attendance improves at Stage 2 but is still below target, then the case steps back to Stage 1b without a new letter', () => {
    const { runner } = open();
    fire(runner, 'review', evidence(92, -1));
    runner.send({ type: 'PARENT_DID_NOT_ATTEND', at: '2024-11-28' });
    const review = fire(runner, 'review', evidence(93.5, 1.5));
    expect(runner.state).toBe('open.stage1b');
    expect(effectTypes(review).filter((effect) => effect.startsWith('sendLetter'))).toEqual([]);
  });
});
