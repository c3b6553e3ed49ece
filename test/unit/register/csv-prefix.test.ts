import { describe, it, expect } from 'vitest';
import type { Readable } from 'node:stream';
import { CsvPrefix } from '../../../src/register/csv-prefix.ts';

const HEADER = 'upn,date,session,code';

/** The file in chunks of `size` bytes, so that lines and line ends fall across chunks. */
async function* chunks(text: string | Buffer, size: number) {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function drain(stream: Readable | null) {
  if (!stream) return null;
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.from(part as Buffer));
  return Buffer.concat(parts).toString();
}

/** What a CsvPrefix makes of a file: its header, the clean records, and the rest (header first). */
async function split(text: string | Buffer, size = 7) {
  const file = new CsvPrefix(chunks(text, size));
  const header = await file.readHeader();
  let records = '';
  if (header) for await (const part of file.records(header.length)) records += part.toString();
  return { header, records, lines: file.lines, rest: await drain(file.rest) };
}

describe('the clean prefix of a CSV file', () => {
  it('when every record is a plain line, then all of them are clean and there is no rest', async () => {
    const body = 'A123456789012,2025-01-06,AM,/\nA123456789012,2025-01-06,PM,\\\n';
    expect(await split(`${HEADER}\n${body}`)).toEqual({ header: ['upn', 'date', 'session', 'code'], records: body, lines: 3, rest: null });
  });

  it('when the file has a BOM, CRLF line ends, quoted fields and no line end at the end, then all of it is clean', async () => {
    const body = 'A123456789012,2025-01-06,AM,"/"\r\n"A123456789012","2025-01-06",PM,"say ""hi"""';
    expect(await split(`\uFEFFUPN, Date,session,code\r\n${body}`, 3)).toEqual({ header: ['upn', 'date', 'session', 'code'], records: body, lines: 3, rest: null });
  });

  it('when a quoted field holds a line break, then the rest starts at that record, after the header', async () => {
    const clean = 'A123456789012,2025-01-06,AM,/\n';
    const spanning = 'A123456789012,2025-01-06,PM,"O\nI"\nA123456789012,2025-01-07,AM,/\n';
    expect(await split(`${HEADER}\n${clean}${spanning}`)).toEqual({ header: ['upn', 'date', 'session', 'code'], records: clean, lines: 2, rest: `${HEADER}\n${spanning}` });
  });

  it.each([
    ['a ragged row', 'A123456789012,2025-01-06,AM\n'],
    ['a quote inside a field', 'A123456789012,2025-01-06,AM,"O"x\n'],
    ['an empty line', '\n'],
    ['a CR without LF', 'A123456789012,2025-01-06,AM,/\rA123456789012,2025-01-06,PM,\\\n'],
    ['a CRLF line in an LF file', 'A123456789012,2025-01-06,AM,/\r\n'],
    ['a NUL byte', 'A123456789012,2025-01-06,AM,\0\n'],
    ['a lone end-of-data marker', '\\.\n'],
  ])('when a record has %s, then it and everything after it are the rest', async (_what, bad) => {
    const clean = 'A123456789012,2025-01-05,AM,/\n';
    const after = 'A123456789012,2025-01-08,AM,/\n';
    expect(await split(`${HEADER}\n${clean}${bad}${after}`)).toMatchObject({ records: clean, lines: 2, rest: `${HEADER}\n${bad}${after}` });
  });

  it('when a record is valid UTF-8 beyond ASCII, then it is clean; when its bytes are not UTF-8, then it starts the rest', async () => {
    const cyrillic = 'A123456789012,2025-01-06,AM,С1\n';
    expect(await split(`${HEADER}\n${cyrillic}`, 2)).toMatchObject({ records: cyrillic, rest: null });
    const latin1 = Buffer.concat([Buffer.from(`${HEADER}\nA123456789012,2025-01-06,AM,`), Buffer.from([0xa3]), Buffer.from('\n')]);
    expect(await split(latin1)).toMatchObject({ records: '', lines: 1, rest: latin1.toString() });
  });

  it('when the header is quoted, empty or missing, then the whole file is the rest', async () => {
    expect(await split(`"upn",date,session,code\nA123456789012,2025-01-06,AM,/\n`)).toMatchObject({ header: null, rest: `"upn",date,session,code\nA123456789012,2025-01-06,AM,/\n` });
    expect(await split(`\n${HEADER}\n`)).toMatchObject({ header: null, rest: `\n${HEADER}\n` });
    expect(await split('')).toMatchObject({ header: null, rest: '' });
  });
});
