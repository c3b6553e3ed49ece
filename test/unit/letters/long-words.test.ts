import { describe, it, expect } from 'vitest';
import { breakLongWords, htmlToPdf } from '../../../src/letters/pdf.ts';
import { pdfText } from '../../support/pdf.ts';

describe('long unbroken words in a PDF', () => {
  it('when a word is longer than a line, then it gets break opportunities and keeps every character', () => {
    const word = 'x'.repeat(150);
    const broken = breakLongWords(`Dear ${word} Ash`);
    expect(broken.replace(/\u200B/g, '')).toBe(`Dear ${word} Ash`);
    expect(broken.split('\u200B').map((part) => part.length)).toEqual([65, 60, 34]);
    expect(breakLongWords('an ordinary sentence, with https://example.org/short links')).toBe('an ordinary sentence, with https://example.org/short links');
  });

  it('when a letter holds a 40,000-character name, then it renders, and the event loop is never held for long', async () => {
    let longestGapMs = 0;
    let last = performance.now();
    const ticking = setInterval(() => {
      const now = performance.now();
      longestGapMs = Math.max(longestGapMs, now - last);
      last = now;
    }, 5);
    try {
      const pdf = await htmlToPdf(`<html><body><p>Dear ${'A'.repeat(40_000)},</p><table><tr><td>${'B'.repeat(40_000)}</td></tr></table></body></html>`, { title: 't', author: 'a' });
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      expect((await pdfText(pdf)).replace(/\s/g, '')).toContain('A'.repeat(60));
    } finally {
      clearInterval(ticking);
    }
    // Before words were broken, pdfkit spent seconds on one such word without yielding (measured 3.5 s for 32,000).
    expect(longestGapMs).toBeLessThan(2_000);
  });
});
