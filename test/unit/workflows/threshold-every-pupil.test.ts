import { describe, expect, it } from 'vitest';
import { evaluatePupil, measure } from '../../../src/domain/evaluate.ts';
import type { CaseEvent } from '../../../src/domain/case-types.ts';
import type { Mark } from '../../../src/domain/types.ts';
import { CaseRunner } from '../../../src/simulator/case-runner.ts';
import { calendarFor } from '../../../workflows/index.ts';
import { workflow as kennet } from '../../../workflows/kennet.ts';

// Seed 002: "the national threshold for when a penalty notice must be considered by all schools".
const calendar = calendarFor(kennet);
const policy = kennet.policy;
const register = (to: string, unauthorised: string[]): Mark[] =>
  calendar.schoolDays('2024-09-03', to).flatMap((date) => [
    { upn: 'K', date, session: 'AM' as const, code: unauthorised.includes(date) ? 'G' : '/' },
    { upn: 'K', date, session: 'PM' as const, code: unauthorised.includes(date) ? 'G' : '\\' },
  ]);
const decide = (runner: CaseRunner | null, marks: Mark[], asOf: string): CaseEvent[] => {
  const view = runner ? { value: runner.value, context: runner.context } : null;
  return evaluatePupil({ policy, measurements: measure({ policy, calendar, marks, asOf, case: view }), flags: {}, case: view, reviewDay: false });
};
const FIRST_WEEK = ['2024-11-11', '2024-11-12', '2024-11-13', '2024-11-14', '2024-11-15'];
const SECOND_WEEK = ['2024-12-02', '2024-12-03', '2024-12-04', '2024-12-05', '2024-12-06'];

describe('seed 002: the national threshold for every pupil, case or not (Kennet, reviewed fortnightly)', () => {
  it('when a pupil with no case meets it on a day without a review, then the case opens straight at considerations with no stage letter', () => {
    const [event, ...rest] = decide(null, register('2024-11-19', FIRST_WEEK), '2024-11-19');
    expect(rest).toEqual([]);
    expect(event).toMatchObject({ type: 'THRESHOLD_MET', at: '2024-11-19' });
    const runner = new CaseRunner(kennet, calendar, { caseId: 'k-1', upn: 'K1', parents: [{ id: 'parent-1' }] });
    const opened = runner.send(event!);
    expect(runner.state).toBe('open.considering');
    expect(opened.effects.map((effect) => effect.type)).not.toContain('sendLetter');
    expect(runner.context.offenceOn).toBe('2024-11-15');
  });

  it('when the case is closed and the breach already considered is still in the window, then nothing reopens it; 10 more unauthorised sessions do', () => {
    const runner = new CaseRunner(kennet, calendar, { caseId: 'k-2', upn: 'K2', parents: [{ id: 'parent-1' }] });
    runner.send(decide(null, register('2024-11-19', FIRST_WEEK), '2024-11-19')[0]!);
    runner.send({ type: 'CASE_WITHDRAWN', reason: 'considered: no further action', at: '2024-11-22' });
    expect(runner.state.startsWith('closed')).toBe(true);
    expect(decide(runner, register('2024-11-26', FIRST_WEEK), '2024-11-26')).toEqual([]);
    const again = decide(runner, register('2024-12-09', [...FIRST_WEEK, ...SECOND_WEEK]), '2024-12-09');
    expect(again.map((event) => event.type)).toEqual(['THRESHOLD_MET']);
    runner.send(again[0]!);
    expect(runner.state).toBe('open.considering');
  });
});
