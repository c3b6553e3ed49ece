import { describe, it, expect } from 'vitest';
import { parseDuration, DURATION_SYNTAX } from '../../../src/domain/duration.ts';
import { CLOCK_STEPS } from '../../../src/http/ui/outbox/outbox-page.ts';

const DAY = 86_400_000;

describe('the one duration syntax', () => {
  it('when a duration has a unit m, h, d or w, then it is read as milliseconds', () => {
    expect(parseDuration('30m')).toBe(30 * 60_000);
    expect(parseDuration('12h')).toBe(12 * 3_600_000);
    expect(parseDuration('28d')).toBe(28 * DAY);
    expect(parseDuration('3w')).toBe(21 * DAY);
    expect(parseDuration(' 4w ')).toBe(28 * DAY);
  });

  it('when it is not a positive whole number and a unit, or is over 400 days, then it is refused', () => {
    for (const text of ['', 'soon', '-1d', '0d', '1.5d', '3 w', '1y', '58w', '401d', '99999d']) expect(parseDuration(text), text).toBeNull();
    expect(parseDuration('400d')).toBe(400 * DAY);
    expect(DURATION_SYNTAX).toContain('3w');
  });

  it("when the page offers its choices (1 day to 4 weeks), then each is in the same syntax", () => {
    expect(CLOCK_STEPS.map((step) => parseDuration(step.value))).toEqual([DAY, 7 * DAY, 14 * DAY, 28 * DAY]);
  });
});
