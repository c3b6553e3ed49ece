import { describe, it, expect } from 'vitest';
import { parse } from 'csv-parse/sync';
import { csvFile, spreadsheetSafe } from '../../../src/evidence/csv.ts';

describe('the evidence pack CSV files', () => {
  it('when a contact is named as a formula (letters-sent.csv), then the cell is text, not a live formula', () => {
    const file = csvFile(['recipient', 'sent'], [['=HYPERLINK("http://evil.example","x")', 'Monday 1 December 2025']]).toString('utf8');
    const [, row] = parse(file) as string[][];
    expect(row![0]).toBe(`'=HYPERLINK("http://evil.example","x")`);
    expect(file).not.toMatch(/(^|,)=HYPERLINK/m);
  });

  it('when a pupil name starts with =, +, -, @, a tab or a carriage return (support.csv), then each is neutralised', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) expect(spreadsheetSafe(`${start}Ava`)).toBe(`'${start}Ava`);
    expect(spreadsheetSafe('Ava =1')).toBe('Ava =1');
    expect(spreadsheetSafe(null)).toBe('');
  });

  it('when a cell holds a lone carriage return, quotes, commas or line breaks, then it is quoted and reads back whole', () => {
    const cells = ['a\rb', 'x,y', 'say "hi"', 'two\nlines', 'plain'];
    const file = csvFile(['a', 'b', 'c', 'd', 'e'], [cells]).toString('utf8');
    expect(file).toContain('"a\rb"');
    expect(file.endsWith('\r\n')).toBe(true);
    expect((parse(file) as string[][])[1]).toEqual(cells);
  });
});
