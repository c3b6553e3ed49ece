import { describe, expect, it } from 'vitest';
import { evaluatePupil, isReviewDay } from '../../../src/domain/evaluate.ts';
import { CaseRunner } from '../../../src/simulator/case-runner.ts';
import { workflow as francisBaily } from '../../../workflows/francis-baily.ts';
import { calendarFor } from '../../../workflows/index.ts';
import { workflow as kennet } from '../../../workflows/kennet.ts';
import { workflow as whitelandsPark } from '../../../workflows/whitelands-park.ts';
import type { Workflow } from '../../../machines/workflow.ts';
import { effectTypes, evidence, fire, measurements, view } from '../machines/support.ts';

// Seed 001: the Equinox Learning Trust's three schools, West Berkshire's 2024-25 term dates.
const calendar = calendarFor(kennet);
const open = (workflow: Workflow, pct: number, at = '2024-09-16') => {
  const runner = new CaseRunner(workflow, calendar, { caseId: `${workflow.id}-1`, upn: 'E1', parents: [{ id: 'carer' }] });
  const opened = runner.send({ type: 'OPEN', at, evidence: evidence(pct) });
  return { runner, opened };
};

describe('Kennet School', () => {
  it('when attendance drops below 95%, then Letter 1 goes home and the Heads of House look again a fortnight later', () => {
    const { runner, opened } = open(kennet, 94);
    expect(runner.state).toBe('open.letter1');
    expect(effectTypes(opened)).toEqual(['sendLetter:kennet/letter-1', 'startTimer:review']);
    expect(runner.timer('review')?.dueDate).toBe('2024-09-30');
  });

  it('when attendance holds steady after Letter 1, then no Letter 2: it is sent only when attendance continues to fall', () => {
    const { runner } = open(kennet, 94);
    const steady = fire(runner, 'review', evidence(94, 0));
    expect(runner.state).toBe('open.letter1');
    expect(effectTypes(steady)).toEqual(['cancelTimer:review', 'startTimer:review']);
    const falling = fire(runner, 'review', evidence(93, -1));
    expect(runner.state).toBe('open.letter2');
    expect(effectTypes(falling)).toEqual(['cancelTimer:review', 'sendLetter:kennet/letter-2', 'createTask:meeting', 'startTimer:review']);
  });

  it('when attendance fails to improve after the Attendance Support Contract meeting, then Letter 3 and the EWO is made aware', () => {
    const { runner } = open(kennet, 94);
    fire(runner, 'review', evidence(93, -1));
    runner.send({ type: 'MEETING_HELD', at: '2024-10-03' });
    runner.send({ type: 'CONTRACT_AGREED', at: '2024-10-03' });
    const third = fire(runner, 'review', evidence(92, -1));
    expect(runner.state).toBe('open.letter3');
    expect(effectTypes(third)).toContain('sendLetter:kennet/letter-3');
    expect(effectTypes(third)).toContain('notify:kennet/ewo-aware');
    const referral = fire(runner, 'review', evidence(91, -1));
    expect(effectTypes(referral)).toContain('notify:kennet/education-attendance-service-referral');
  });

  it('when the Monday tracker shows single absences, then each milestone becomes a task', () => {
    const { runner } = open(kennet, 94);
    const events = evaluatePupil({
      policy: kennet.policy,
      measurements: measurements('2024-10-14', { attendancePct: 94, consecutiveDaysAbsent: 2 }, { daysAbsentThisWeek: 3 }),
      flags: {},
      case: view(runner),
      reviewDay: true,
    });
    const tasks = events.flatMap((event) => effectTypes(runner.send(event)));
    expect(tasks).toEqual(['createTask:tutorContact', 'createTask:tutorContactHome', 'createTask:houseTeamContactHome']);
  });

  it('when the calendar runs, then the letter review falls every other Monday', () => {
    const mondays = ['2024-09-09', '2024-09-16', '2024-09-23', '2024-09-30'].filter((d) => isReviewDay(kennet.policy, calendar, d));
    expect(mondays).toEqual(['2024-09-16', '2024-09-30']);
  });
});

describe('Francis Baily Primary School', () => {
  it('when attendance is already under 90%, then Letter 3 goes straight away and the EWO is involved', () => {
    const { runner, opened } = open(francisBaily, 89);
    expect(runner.state).toBe('open.letter3');
    expect(effectTypes(opened)).toContain('sendLetter:francis-baily/letter-3');
    expect(effectTypes(opened)).toContain('notify:francis-baily/ewo-aware');
  });

  it('when attendance falls under 90% after Letter 1, then the monthly review skips to Letter 3', () => {
    const { runner } = open(francisBaily, 94);
    // Reviewed monthly: 4 school weeks.
    expect(runner.timer('review')?.dueDate).toBe('2024-10-14');
    fire(runner, 'review', evidence(89, -5));
    expect(runner.state).toBe('open.letter3');
  });

  it('when a month begins, then its first Monday is the letter review', () => {
    const days = ['2024-10-07', '2024-10-14', '2024-11-04', '2024-11-11'].filter((d) => isReviewDay(francisBaily.policy, calendar, d));
    expect(days).toEqual(['2024-10-07', '2024-11-04']);
  });
});

describe('Whitelands Park Primary School', () => {
  it('when attendance keeps falling, then Letter 1, Letter 2 with a meeting, then Letter 3 with the EWO, a fortnight apart', () => {
    const { runner } = open(whitelandsPark, 94);
    expect(runner.timer('review')?.dueDate).toBe('2024-09-30');
    fire(runner, 'review', evidence(92, -2));
    expect(runner.state).toBe('open.letter2');
    const third = fire(runner, 'review', evidence(89.5, -2.5));
    expect(runner.state).toBe('open.letter3');
    expect(effectTypes(third)).toContain('notify:whitelands-park/ewo-involvement');
  });

  it('when attendance recovers to 97%, then the case closes', () => {
    const { runner } = open(whitelandsPark, 94);
    fire(runner, 'review', evidence(97.1, 3));
    expect(runner.context.closure).toEqual({ reason: 'improved', on: '2024-09-30' });
  });
});
