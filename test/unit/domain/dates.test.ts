import { describe, it, expect } from 'vitest';
import { addDays, compareDates, dayOfWeek, daysBetween, isIsoDate, mondayOf } from '../../../src/domain/dates.ts';

describe('isIsoDate', () => {
  it('when given real dates written YYYY-MM-DD, then accepts them, leap days included', () => {
    expect(isIsoDate('2024-09-02')).toBe(true);
    expect(isIsoDate('2024-02-29')).toBe(true);
  });

  it('when given impossible dates or other shapes, then rejects them', () => {
    expect(isIsoDate('2025-02-29')).toBe(false);
    expect(isIsoDate('2024-13-01')).toBe(false);
    expect(isIsoDate('2024-9-2')).toBe(false);
    expect(isIsoDate('02/09/2024')).toBe(false);
    expect(isIsoDate('2024-09-02T00:00:00Z')).toBe(false);
    expect(isIsoDate(20240902)).toBe(false);
  });
});

describe('addDays', () => {
  it('when crossing month, year and leap-day boundaries, then lands on the calendar date', () => {
    expect(addDays('2024-12-30', 3)).toBe('2025-01-02');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-02-28', 1)).toBe('2025-03-01');
    expect(addDays('2025-01-02', -3)).toBe('2024-12-30');
  });

  it('when the clocks change (last Sunday of October), then still moves exactly one day', () => {
    expect(addDays('2024-10-26', 1)).toBe('2024-10-27');
    expect(addDays('2024-10-27', 1)).toBe('2024-10-28');
  });

  it('when given a malformed date or a fractional count, then throws', () => {
    expect(() => addDays('2024-02-30', 1)).toThrow(TypeError);
    expect(() => addDays('2024-02-01', 1.5)).toThrow(TypeError);
  });
});

describe('dayOfWeek and mondayOf', () => {
  it('when given known dates, then numbers the days from Sunday = 0', () => {
    expect(dayOfWeek('2024-09-02')).toBe(1);
    expect(dayOfWeek('2025-01-05')).toBe(0);
    expect(dayOfWeek('2026-12-26')).toBe(6);
  });

  it('when given a Sunday, then its Monday is the one six days before', () => {
    expect(mondayOf('2024-09-08')).toBe('2024-09-02');
    expect(mondayOf('2024-09-02')).toBe('2024-09-02');
    expect(mondayOf('2025-01-01')).toBe('2024-12-30');
  });
});

describe('daysBetween and compareDates', () => {
  it('when b is later than a, then the difference is positive and counts the days', () => {
    expect(daysBetween('2024-09-02', '2025-09-01')).toBe(364);
    expect(daysBetween('2025-09-01', '2024-09-02')).toBe(-364);
  });

  it('when used to sort, then orders dates chronologically', () => {
    expect(['2025-01-01', '2024-12-31', '2024-09-02'].sort(compareDates)).toEqual(['2024-09-02', '2024-12-31', '2025-01-01']);
    expect(compareDates('2024-09-02', '2024-09-02')).toBe(0);
  });
});
