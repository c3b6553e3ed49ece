import { describe, it, expect } from 'vitest';
import { cutoff } from '../../../src/retention/policy.ts';

describe('retention cut-off', () => {
  it('when counting years back, then the same instant that many years earlier is the line', () => {
    expect(cutoff(new Date('2026-12-04T03:00:00Z'), 6).toISOString()).toBe('2020-12-04T03:00:00.000Z');
  });

  it('when the day does not exist that many years back (29 February), then the 28th is the line, keeping a day more', () => {
    expect(cutoff(new Date('2028-02-29T12:00:00Z'), 3).toISOString()).toBe('2025-02-28T12:00:00.000Z');
  });
});
