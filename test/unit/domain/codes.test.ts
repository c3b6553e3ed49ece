import { describe, it, expect } from 'vitest';
import {
  ATTENDANCE_CODES,
  codeCategory,
  findCode,
  isAttending,
  isPossibleSession,
  isThresholdUnauthorised,
  normaliseCode,
} from '../../../src/domain/codes.ts';

const codesIn = (category: string) =>
  ATTENDANCE_CODES.filter((c) => c.category === category)
    .map((c) => c.code)
    .sort();

describe('ATTENDANCE_CODES', () => {
  it('when grouped by category, then matches the 2024 regulations', () => {
    expect(codesIn('present')).toEqual(['/', 'L', '\\'].sort());
    expect(codesIn('approvedEducation')).toEqual(['B', 'K', 'P', 'V', 'W']);
    expect(codesIn('authorised')).toEqual(['C', 'C1', 'C2', 'E', 'I', 'J1', 'M', 'R', 'S', 'T']);
    expect(codesIn('unauthorised')).toEqual(['G', 'N', 'O', 'U']);
    expect(codesIn('notCounted')).toEqual(['#', 'D', 'Q', 'X', 'Y1', 'Y2', 'Y3', 'Y4', 'Y5', 'Y6', 'Y7', 'Z'].sort());
  });

  it('when listed, then every code appears once with a meaning', () => {
    const codes = ATTENDANCE_CODES.map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(ATTENDANCE_CODES.every((c) => c.meaning.length > 0)).toBe(true);
  });
});

describe('normaliseCode', () => {
  it('when a school writes codes in lower case or with spaces, then reads the national code', () => {
    expect(normaliseCode('c1')).toBe('C1');
    expect(normaliseCode(' o ')).toBe('O');
    expect(normaliseCode('y7')).toBe('Y7');
    expect(normaliseCode('l')).toBe('L');
    expect(normaliseCode('\\')).toBe('\\');
    expect(normaliseCode('#')).toBe('#');
  });

  it('when a code was copied from a PDF with Cyrillic look-alikes, then reads the Latin code', () => {
    expect(normaliseCode('В')).toBe('B');
    expect(normaliseCode('С2')).toBe('C2');
    expect(normaliseCode('Х')).toBe('X');
    expect(normaliseCode('ı')).toBe('I');
  });

  it('when the entry is not a national code, then returns null', () => {
    expect(normaliseCode('F')).toBeNull(); // a pre-2024 code (agreed extended holiday)
    expect(normaliseCode('0')).toBeNull();
    expect(normaliseCode('Y8')).toBeNull();
    expect(normaliseCode('C3')).toBeNull();
    expect(normaliseCode('')).toBeNull();
    expect(normaliseCode('-')).toBeNull();
  });

  it('when found, then findCode also gives the meaning', () => {
    expect(findCode('i')?.meaning).toMatch(/Illness/);
  });
});

describe('code predicates', () => {
  it('when a code counts for the national penalty threshold, then it is G, O or U and not N', () => {
    expect(['G', 'O', 'U', 'g'].map(isThresholdUnauthorised)).toEqual([true, true, true, true]);
    expect(isThresholdUnauthorised('N')).toBe(false);
    expect(isThresholdUnauthorised('I')).toBe(false);
  });

  it.each(['X', 'Q', 'Y1', 'Y2', 'Y3', 'Y4', 'Y5', 'Y6', 'Y7', 'Z', '#', 'D'])(
    'when the code is %s, then it is not a possible session',
    (code) => {
      expect(isPossibleSession(code)).toBe(false);
    },
  );

  it('when the code is an absence or a presence, then it is a possible session', () => {
    expect(['/', 'L', 'K', 'B', 'I', 'C2', 'N', 'U'].every(isPossibleSession)).toBe(true);
  });

  it('when the pupil is at approved education off-site, then the pupil is attending', () => {
    expect(['/', '\\', 'L', 'K', 'V', 'P', 'W', 'B'].every(isAttending)).toBe(true);
    expect(['U', 'M', 'D', 'X'].some(isAttending)).toBe(false);
  });

  it('when the code is unknown, then the predicates throw rather than guess', () => {
    expect(() => codeCategory('F')).toThrow(/not a national attendance code/);
    expect(() => isThresholdUnauthorised('0')).toThrow(RangeError);
  });
});
