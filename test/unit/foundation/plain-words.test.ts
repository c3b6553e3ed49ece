import { describe, expect, it } from 'vitest';
import { findCodeWords } from '../../support/plain-words.ts';
import { bandFrom, dateTime, longDate, pct, plural, templateName, words } from '../../../src/domain/words.ts';
import { evidenceRows } from '../../../src/domain/evidence-words.ts';

const kinds = (text: string) => findCodeWords(text).map(({ word, kind }) => `${kind}: ${word}`);

describe('the words checker the browser suites read every page with', () => {
  it('when a page says what issue 19 found, then each one is caught', () => {
    const found = kinds(
      'Band persistentAbsence, atRisk. Review_due: review due. Letter west-coventry/letter-b. legal step legal step. ' +
        'Approval approve 1 session(s) social_worker 86.88524590163935% on 2025-12-01 {"pctNow": 80} [object Object] open.penaltyNotice',
    );
    expect(found).toEqual(
      expect.arrayContaining([
        'camelCase name: persistentAbsence',
        'camelCase name: atRisk',
        'snake_case name: Review_due',
        'path or dotted name: west-coventry/letter-b',
        'doubled words: legal step legal step',
        'plural in brackets: n(s)',
        'snake_case name: social_worker',
        'unrounded number: 86.88524590163935',
        'ISO date: 2025-12-01',
        'raw record: {"pctNow":',
        'raw record: [object Object]',
        'path or dotted name: open.penaltyNotice',
      ]),
    );
  });

  it('when a page says things as staff write them, then nothing is caught', () => {
    expect(kinds('Monday 1 December 2025 at 09:05: attendance 86.9%, Stage 1b, Letter B to parents, and/or 1/2 of sessions, email ewo@coventry.gov.uk, see https://www.gov.uk/x_y, an iCalendar file, a 6-week plan')).toEqual([]);
  });
});

describe('the one map of names to words', () => {
  it('when names the service keeps are said, then they read as UK school staff say them', () => {
    expect(['persistentAbsence', 'atRisk', 'REVIEW_DUE', 'social_worker', 'la', 'penaltyNotice', 'NTI_ISSUED', 'open.stage1b', 'approval.approve'].map(words)).toEqual([
      'Persistent absence',
      'At risk',
      'Review due',
      'Social worker',
      'Local authority',
      'Penalty notice',
      'Notice to Improve issued',
      'Stage 1b',
      'Approved',
    ]);
    expect(templateName('west-coventry/letter-b')).toBe('Letter B');
  });

  it('when dates, percentages and counts are written, then they are written one way', () => {
    expect(longDate('2025-12-01')).toBe('Monday 1 December 2025');
    // 23:30 UTC on 31 March 2025 is already 1 April in London (BST).
    expect(longDate(new Date('2025-03-31T23:30:00Z'))).toBe('Tuesday 1 April 2025');
    expect(dateTime(new Date('2025-12-01T09:05:00Z'))).toBe('Monday 1 December 2025 at 09:05');
    expect(pct(86.88524590163935)).toBe('86.9%');
    expect(plural(1, 'session')).toBe('1 session');
    expect(plural(3, 'session')).toBe('3 sessions');
    expect([bandFrom(95), bandFrom(90.01)]).toEqual(['95% and above', 'above 90%']);
  });

  it('when a case event’s evidence is shown, then it is in words: no JSON, no ids, no ISO dates, no long decimals', () => {
    const rows = evidenceRows({ event: 'REVIEW_DUE', timerId: 'abc-123', decision: 'penaltyNotice', change: { pctAtSince: 85.123, pctNow: 80, delta: -5.123 }, lastUnauthorisedOn: '2025-11-24' });
    const text = rows.map((row) => `${row.label}: ${row.value}`).join('\n');
    expect(text).toBe('Event: Review due\nDecision: Penalty notice\nChange: Attendance then: 85.1%; Attendance now: 80.0%; Change: down 5.1 percentage points\nLast unauthorised on: Monday 24 November 2025');
    expect(findCodeWords(text)).toEqual([]);
  });
});
