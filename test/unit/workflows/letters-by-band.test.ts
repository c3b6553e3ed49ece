import { describe, expect, it } from 'vitest';
import { evaluatePupil, isBandReviewDay } from '../../../src/domain/evaluate.ts';
import { CaseRunner } from '../../../src/simulator/case-runner.ts';
import { calendarFor } from '../../../workflows/index.ts';
import { workflow as dsat } from '../../../workflows/dsat.ts';
import { workflow as francisBaily } from '../../../workflows/francis-baily.ts';
import { workflow as kennet } from '../../../workflows/kennet.ts';
import { workflow as whitelandsPark } from '../../../workflows/whitelands-park.ts';
import type { Workflow } from '../../../machines/workflow.ts';
import { effectTypes, evidence, fire, measurements, view } from '../machines/support.ts';

// Issue 20 item 3: letters and actions follow the band the seed names.

describe('DSAT, seed 004: "95%-94% equates to an optional \'yellow letter\'" … "90% or under results in a red letter"', () => {
  const open = (pct: number) => {
    const runner = new CaseRunner(dsat, calendarFor(dsat), { caseId: 'band-1', upn: 'B1', parents: [{ id: 'mum' }] });
    runner.send({ type: 'OPEN', at: '2024-10-14', evidence: evidence(pct) });
    return runner;
  };
  const letters = (record: ReturnType<typeof fire>) => effectTypes(record).filter((effect) => effect.startsWith('sendLetter'));

  it('when a pupil stays at 95% period after period, then the yellow letter once and no amber, red or further meeting', () => {
    const runner = open(95);
    for (let period = 0; period < 3; period += 1) {
      const review = fire(runner, 'review', evidence(95, 0));
      expect(runner.state).toBe('open.yellowLetter');
      expect(letters(review)).toEqual([]);
    }
  });

  it('when the band falls from yellow to amber to red, then each review sends that band’s letter', () => {
    const runner = open(95);
    expect(letters(fire(runner, 'review', evidence(92, -3)))).toEqual(['sendLetter:dsat/amber-letter']);
    expect(runner.state).toBe('open.amberLetter');
    expect(letters(fire(runner, 'review', evidence(90, -2)))).toEqual(['sendLetter:dsat/red-letter']);
    expect(runner.state).toBe('open.redLetter');
  });

  it('when a yellow-band pupil falls to 89%, then the red letter straight away', () => {
    const runner = open(95);
    expect(letters(fire(runner, 'review', evidence(89, -6)))).toEqual(['sendLetter:dsat/red-letter']);
  });

  it('when an amber pupil stays amber with no improvement, then no red letter: the band, not the number of reviews, names the letter', () => {
    const runner = open(92);
    const review = fire(runner, 'review', evidence(91.5, -0.5));
    expect(runner.state).toBe('open.amberLetter');
    expect(letters(review)).toEqual([]);
  });

  it('when a pupil at the further meeting improves but is still in the red band, then no penalty recommendation: the case stays', () => {
    const runner = open(88);
    runner.send({ type: 'MEETING_HELD', at: '2024-10-24' });
    fire(runner, 'review', evidence(87, -1));
    expect(runner.state).toBe('open.furtherMeeting');
    const improving = fire(runner, 'review', evidence(89, 2));
    expect(runner.state).toBe('open.furtherMeeting');
    expect(effectTypes(improving)).toEqual(['cancelTimer:review', 'startTimer:review']);
    expect(effectTypes(fire(runner, 'review', evidence(88, -1)))).toContain('createTask:penaltyRecommendation');
  });

  it('when a red-band pupil improves into the amber or yellow band, then the case moves to that band’s stage with no new letter', () => {
    const runner = open(88);
    expect(letters(fire(runner, 'review', evidence(92.5, 4.5)))).toEqual([]);
    expect(runner.state).toBe('open.amberLetter');
    fire(runner, 'review', evidence(95, 2.5));
    expect(runner.state).toBe('open.yellowLetter');
    fire(runner, 'review', evidence(96.5, 1.5));
    expect(runner.state).toBe('closed');
  });
});

/** A case at Letter 1 and the weekly RAG review of the given band. */
function bandReview(workflow: Workflow, band: string, pct: number) {
  const runner = new CaseRunner(workflow, calendarFor(workflow), { caseId: `${workflow.id}-band`, upn: 'B2', parents: [{ id: 'carer' }] });
  runner.send({ type: 'OPEN', at: '2024-09-16', evidence: evidence(94) });
  const events = evaluatePupil({
    policy: workflow.policy,
    measurements: measurements('2024-09-23', { attendancePct: pct, band }),
    flags: {},
    case: view(runner),
    reviewDay: false,
    bandReviewDay: true,
  });
  const banded = events.filter((event) => event.type === 'BAND_REVIEWED');
  expect(banded).toHaveLength(1);
  const record = runner.send(banded[0]!);
  return record.effects.filter((effect) => effect.type === 'createTask').map((effect) => effect.params as { kind: string; title: string });
}

describe('Kennet, seed 001 Appendix 1: "90% or lower: Red: Head of House (HOH)/DHOH action"', () => {
  it('when the Monday tracker finds a pupil in the red band, then the Head of House action, named for the Head of House, not a tutor contact', () => {
    const tasks = bandReview(kennet, 'red', 89);
    expect(tasks).toEqual([{ kind: 'headOfHouseAction', title: 'Head of House (HOH) action, with the Deputy Head of House (DHOH)', dueDate: '2024-09-24', caseId: 'kennet-band' }]);
  });

  it('when the Monday tracker finds a pupil in the amber band ("95%-91%: Amber: Contact home from Tutor/ Deputy Head of House (DHOH)"), then contact home', () => {
    expect(bandReview(kennet, 'amber', 93).map((task) => task.kind)).toEqual(['contactHome']);
  });

  it('when the weeks pass, then the tracker is read every Monday although the letters are reviewed fortnightly', () => {
    const calendar = calendarFor(kennet);
    const mondays = ['2024-09-09', '2024-09-16', '2024-09-23', '2024-09-30'];
    expect(mondays.filter((d) => isBandReviewDay(kennet.policy, calendar, d))).toEqual(mondays);
    expect(isBandReviewDay(kennet.policy, calendar, '2024-09-17')).toBe(false);
  });

  it('when the pupil is in the green band, then no band event: "Tutor conversation with pupil" is everyday teaching, not a task', () => {
    const runner = new CaseRunner(kennet, calendarFor(kennet), { caseId: 'k-green', upn: 'G1', parents: [] });
    runner.send({ type: 'OPEN', at: '2024-09-16', evidence: evidence(94) });
    const m = measurements('2024-09-23', { attendancePct: 96.5, band: 'green' });
    const events = evaluatePupil({ policy: kennet.policy, measurements: m, flags: {}, case: view(runner), reviewDay: false, bandReviewDay: true });
    expect(events.map((event) => event.type)).not.toContain('BAND_REVIEWED');
  });
});

describe('Whitelands Park, seed 001 Appendix 3: "95%-91%: Amber: Contact home from Headteacher and invite to meeting"', () => {
  it('when the weekly RAG review finds a pupil in the amber band, then the Headteacher contacts home and invites the parents to a meeting', () => {
    const tasks = bandReview(whitelandsPark, 'amber', 93);
    expect(tasks.map(({ kind, title }) => ({ kind, title }))).toEqual([
      { kind: 'headteacherContact', title: 'Contact home from the Headteacher, and invite the parents to a meeting' },
    ]);
  });

  it('when the pupil is in the red band ("90% or lower: Red: Headteacher and EWO review and action"), then the Headteacher and EWO review', () => {
    expect(bandReview(whitelandsPark, 'red', 88).map((task) => task.kind)).toEqual(['ewoReview']);
  });
});

describe('Francis Baily, seed 001 Appendix 2: "95%-91%: Amber: Contact home from Headteacher, letter procedure triggered as below"', () => {
  it('when the weekly RAG review finds a pupil in the amber band, then the Headteacher contacts home', () => {
    expect(bandReview(francisBaily, 'amber', 93).map((task) => task.kind)).toEqual(['contactHome']);
  });
});
