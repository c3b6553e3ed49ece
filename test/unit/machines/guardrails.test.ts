import { describe, expect, it } from 'vitest';
import { penaltyNoticeEligibility, prosecutionDeadline } from '../../../src/domain/penalty-notices.ts';
import { CaseRunner } from '../../../src/simulator/case-runner.ts';
import { calendarFor } from '../../../workflows/index.ts';
import { workflow } from '../../../workflows/national.ts';
import { allConsidered, considered, effectTypes, evidence, fire } from './support.ts';

// Each statutory guardrail, attacked: the machine must refuse, never quietly comply.
const calendar = calendarFor(workflow, 'coventry');

function atThreshold(at = '2024-11-04', penaltyNoticeHistory = [] as { parentId: string; issuedOn: string }[]) {
  const runner = new CaseRunner(workflow, calendar, {
    caseId: 'g-1',
    upn: 'G1',
    parents: [{ id: 'mum' }],
    penaltyNoticeHistory: penaltyNoticeHistory.map((notice, i) => ({
      ...notice,
      id: `earlier-${i}`,
      sequence: 1,
      amountDue: 80,
      status: 'paid',
      settledOn: notice.issuedOn,
    })),
  });
  runner.send({ type: 'OPEN', at: '2024-10-01', evidence: evidence(91) });
  runner.send({ type: 'THRESHOLD_MET', at, evidence: { ...evidence(88), lastUnauthorisedOn: at } });
  return runner;
}

describe('statutory guardrails', () => {
  it('when a legal step is taken before the threshold considerations, then the machine ignores it', () => {
    const runner = new CaseRunner(workflow, calendar, { caseId: 'g-0', upn: 'G0', parents: [{ id: 'mum' }] });
    runner.send({ type: 'OPEN', at: '2024-10-01', evidence: evidence(91) });
    for (const event of [
      { type: 'NTI_ISSUED', at: '2024-10-02' },
      { type: 'PENALTY_NOTICE_ISSUED', at: '2024-10-02', parentId: 'mum' },
      { type: 'PROSECUTION_LAID', at: '2024-10-02' },
      { type: 'ESO_GRANTED', at: '2024-10-02' },
    ] as const) {
      expect(runner.send(event).changed).toBe(false);
    }
    expect(runner.state).toBe('open.stage1a');
  });

  it('when the considerations leave a question unanswered or without a reason, then no route can be chosen', () => {
    const runner = atThreshold();
    const { reasonableAdjustments: _skipped, ...four } = allConsidered;
    expect(runner.send(considered('2024-11-05', 'penaltyNotice', four)).changed).toBe(false);
    const blank = { ...allConsidered, support: { answer: false, rationale: '  ' } };
    expect(runner.send(considered('2024-11-05', 'penaltyNotice', blank)).changed).toBe(false);
    expect(runner.state).toBe('open.considering');
    runner.send(considered('2024-11-05', 'penaltyNotice'));
    expect(runner.state).toBe('open.penaltyNotice.requested');
    expect(runner.context.considerations?.answers).toEqual(allConsidered);
  });

  it('when a third penalty notice is sought within 3 years of the first, then the machine refuses and asks for another intervention', () => {
    const runner = atThreshold('2024-11-04', [
      { parentId: 'mum', issuedOn: '2022-12-01' },
      { parentId: 'mum', issuedOn: '2024-01-15' },
    ]);
    const refused = runner.send(considered('2024-11-05', 'penaltyNotice'));
    expect(runner.state).toBe('open.considering');
    expect(effectTypes(refused)).toEqual(['createTask:anotherIntervention']);
    runner.send(considered('2024-11-06', 'attendanceContract'));
    expect(runner.state).toBe('open.attendanceContract.proposed');
  });

  it('when the LA issues a third notice anyway, then the machine does not record it', () => {
    const runner = atThreshold('2024-11-04', [{ parentId: 'mum', issuedOn: '2023-01-10' }]);
    runner.send(considered('2024-11-05', 'penaltyNotice'));
    runner.send({ type: 'PENALTY_NOTICE_ISSUED', at: '2024-11-06', parentId: 'mum' });
    expect(runner.context.penaltyNotices.map((notice) => notice.sequence)).toEqual([1, 2]);
    // A second notice has no reduced rate: £160, one 28-day window.
    expect(runner.context.penaltyNotices[1]).toMatchObject({ amountDue: 160 });
    expect(Object.keys(runner.context.timers).filter((name) => name.startsWith('reducedRate'))).toEqual([]);
    const third = runner.send({ type: 'PENALTY_NOTICE_ISSUED', at: '2024-11-07', parentId: 'mum' });
    expect(third.effects.some((effect) => effect.type === 'startTimer')).toBe(false);
    expect(runner.context.penaltyNotices).toHaveLength(2);
  });

  it('when 3 years have passed since the first notice, then a new notice is a first notice again', () => {
    const history = [
      { parentId: 'mum', issuedOn: '2021-09-01' },
      { parentId: 'mum', issuedOn: '2022-03-01' },
    ];
    expect(penaltyNoticeEligibility(history, 'mum', '2024-08-31')).toMatchObject({ allowed: false, allowedFrom: '2024-09-01' });
    expect(penaltyNoticeEligibility(history, 'mum', '2024-09-01')).toMatchObject({ allowed: true, sequence: 1 });
    expect(penaltyNoticeEligibility(history, 'dad', '2024-08-31')).toMatchObject({ allowed: true, sequence: 1 });
  });

  it('when someone who is not a parent on the case is named on a notice, then it is refused', () => {
    const runner = atThreshold();
    runner.send(considered('2024-11-05', 'penaltyNotice'));
    runner.send({ type: 'PENALTY_NOTICE_ISSUED', at: '2024-11-06', parentId: 'neighbour' });
    expect(runner.context.penaltyNotices).toEqual([]);
    expect(runner.state).toBe('open.considering');
  });

  it('when a first notice is paid on day 21, then the reduced rate stands; on day 22, £160 is due', () => {
    const runner = atThreshold();
    runner.send(considered('2024-11-05', 'penaltyNotice'));
    runner.send({ type: 'PENALTY_NOTICE_ISSUED', at: '2024-11-06', parentId: 'mum' });
    const id = runner.context.penaltyNotices[0]?.id;
    expect(runner.timer(`reducedRate:${id}`)?.dueDate).toBe('2024-11-27');
    fire(runner, `reducedRate:${id}`);
    expect(runner.context.penaltyNotices[0]?.amountDue).toBe(160);
    runner.send({ type: 'PENALTY_PAID', at: '2024-11-28', parentId: 'mum' });
    expect(runner.context.penaltyNotices[0]).toMatchObject({ status: 'paid', amountDue: 160, settledOn: '2024-11-28' });
    expect(runner.state).toBe('open.stage1a');
    expect(runner.context.timers).not.toHaveProperty(`payment:${id}`);
  });

  it('when an old or duplicate timer fires, then it is ignored', () => {
    const runner = new CaseRunner(workflow, calendar, { caseId: 'g-2', upn: 'G2', parents: [{ id: 'mum' }] });
    runner.send({ type: 'OPEN', at: '2024-10-01', evidence: evidence(91) });
    const first = runner.timer('review');
    fire(runner, 'review', evidence(90, -1));
    const stale = runner.send({ type: 'REVIEW_DUE', at: '2024-11-20', timerId: first?.timerId ?? '', evidence: evidence(80, -10) });
    expect(stale.changed).toBe(false);
    expect(runner.state).toBe('open.stage1b');
  });

  it('when the parents decline an attendance contract, then it is never in force and another intervention is needed', () => {
    const runner = atThreshold();
    runner.send(considered('2024-11-05', 'attendanceContract'));
    expect(runner.send({ type: 'CONTRACT_BREACHED', at: '2024-11-06' }).changed).toBe(false);
    runner.send({ type: 'CONTRACT_DECLINED', at: '2024-11-07' });
    expect(runner.state).toBe('open.considering');
    expect(runner.context.contract).toMatchObject({ agreedOn: null, declinedOn: '2024-11-07' });
  });

  it('when a supervision order would be extended past 3 years, then the extension is refused', () => {
    const runner = atThreshold();
    runner.send(considered('2024-11-05', 'educationSupervisionOrder'));
    runner.send({ type: 'ESO_GRANTED', at: '2024-12-02' });
    expect(runner.context.supervisionOrder).toEqual({ grantedOn: '2024-12-02', endsOn: '2025-12-02', limitOn: '2027-12-02' });
    for (let i = 0; i < 8; i += 1) runner.send({ type: 'ESO_EXTENDED', at: '2025-11-01' });
    expect(runner.context.supervisionOrder?.endsOn).toBe('2027-12-02');
    expect(runner.send({ type: 'ESO_EXTENDED', at: '2025-11-01' }).changed).toBe(false);
    runner.send({ type: 'ESO_NON_COMPLIANCE', at: '2026-01-12' });
    expect(runner.state).toBe('open.prosecution.preparing');
  });

  it('when a prosecution is laid more than 6 months after the offence, then it is refused and the time limit moves the case on', () => {
    const runner = atThreshold('2024-11-04');
    runner.send(considered('2024-11-05', 'prosecution'));
    expect(runner.context.prosecution?.deadline).toBe(prosecutionDeadline('2024-11-04'));
    expect(runner.timer('prosecutionTimeLimit')?.dueDate).toBe('2025-05-04');
    expect(runner.send({ type: 'PROSECUTION_LAID', at: '2025-05-05' }).changed).toBe(false);
    const barred = fire(runner, 'prosecutionTimeLimit');
    expect(runner.state).toBe('open.considering');
    expect(effectTypes(barred)).toContain('createTask:anotherIntervention');
  });

  it('when a prosecution is laid in time, then the case waits for the court and resumes support after the outcome', () => {
    const runner = atThreshold('2024-11-04');
    runner.send(considered('2024-11-05', 'prosecution'));
    runner.send({ type: 'PROSECUTION_LAID', at: '2025-05-04' });
    expect(runner.state).toBe('open.prosecution.laid');
    expect(runner.timer('prosecutionTimeLimit')).toBeUndefined();
    runner.send({ type: 'COURT_OUTCOME', at: '2025-06-10', outcome: 'convicted' });
    expect(runner.state).toBe('open.stage1a');
  });

  it('when a Notice to Improve gives an improvement period outside the 3 to 6 weeks, then it is refused', () => {
    const runner = atThreshold();
    runner.send(considered('2024-11-05', 'noticeToImprove'));
    expect(runner.send({ type: 'NTI_ISSUED', at: '2024-11-06', improvementPeriod: 8 }).changed).toBe(false);
    runner.send({ type: 'NTI_ISSUED', at: '2024-11-06', improvementPeriod: 6 });
    expect(runner.context.noticeToImprove).toEqual({ issuedOn: '2024-11-06', endsOn: '2024-12-18' });
  });

  it('when the pupil leaves mid-notice, then the case closes and every timer is cancelled', () => {
    const runner = atThreshold();
    runner.send(considered('2024-11-05', 'penaltyNotice'));
    runner.send({ type: 'PENALTY_NOTICE_ISSUED', at: '2024-11-06', parentId: 'mum' });
    const left = runner.send({ type: 'PUPIL_LEFT', at: '2024-11-08' });
    expect(runner.state).toBe('closed');
    expect(left.effects.filter((effect) => effect.type === 'cancelTimer')).toHaveLength(2);
    expect(runner.context.timers).toEqual({});
    runner.send({ type: 'REOPEN', at: '2025-01-13', evidence: evidence(92) });
    expect(runner.state).toBe('open.stage1a');
    expect(runner.context.penaltyNotices).toHaveLength(1);
  });
});
