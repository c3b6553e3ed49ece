import { describe, it, expect } from 'vitest';
import { londonDate, startOfLondonDate } from '../../../src/domain/london-time.ts';

describe('London dates', () => {
  it('when a date is in GMT or BST, including both clock-change days, then its start is London midnight', () => {
    // 2025: BST from 30 March 01:00 UTC to 26 October 01:00 UTC.
    expect(startOfLondonDate('2025-01-15').toISOString()).toBe('2025-01-15T00:00:00.000Z');
    expect(startOfLondonDate('2025-03-30').toISOString()).toBe('2025-03-30T00:00:00.000Z');
    expect(startOfLondonDate('2025-03-31').toISOString()).toBe('2025-03-30T23:00:00.000Z');
    expect(startOfLondonDate('2025-10-26').toISOString()).toBe('2025-10-25T23:00:00.000Z');
    expect(startOfLondonDate('2025-10-27').toISOString()).toBe('2025-10-27T00:00:00.000Z');
  });

  it('when an instant is a moment before or after London midnight, then londonDate names the London day', () => {
    expect(londonDate(new Date('2025-06-30T22:59:59Z'))).toBe('2025-06-30');
    expect(londonDate(new Date('2025-06-30T23:00:00Z'))).toBe('2025-07-01');
    expect(londonDate(new Date('2025-12-31T23:59:59Z'))).toBe('2025-12-31');
    for (const date of ['2025-03-30', '2025-03-31', '2025-10-26', '2025-10-27']) expect(londonDate(startOfLondonDate(date))).toBe(date);
  });
});
