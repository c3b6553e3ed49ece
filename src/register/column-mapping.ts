// A school's export read as our register files: its header row renamed (and columns we do not
// take left out) before the register's own parser, as the file streams. Nothing here holds more
// than the header line and one chunk.
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import type { ColumnRename, RegisterKind, RegisterMapping } from '../store/types.ts';
import { HEADER_PRESETS, presetById } from './header-presets.ts';
import { REGISTER_FILES } from './rows.ts';

/** A header line longer than this is not a CSV header: the file goes to the parser as it is, to be named by it. */
const MAX_HEADER_BYTES = 64 * 1024;

/** How each of the file's columns is read: the column it is for, or '' to leave it out. */
export interface HeaderPlan {
  /** Where the names came from: 'ours' (our names, with other columns too), 'saved' (the school's mapping) or a preset's id. */
  source: string;
  targets: string[];
}

export const ourColumns = (kind: RegisterKind): readonly string[] => [...REGISTER_FILES[kind].required, ...REGISTER_FILES[kind].optional];

/** A header name as it is compared: trimmed, lower case, without a byte-order mark. */
export const headerName = (name: string) => name.replace(/^\uFEFF/, '').trim().toLowerCase();

/** The plan a list of renames makes of a header, or null when it does not give every required column exactly once. */
function planWith(kind: RegisterKind, header: string[], renames: ColumnRename[], source: string): HeaderPlan | null {
  const ours = ourColumns(kind);
  const named = new Map(renames.map((r) => [headerName(r.from), r.to]));
  const taken = new Set<string>();
  const targets = header.map((name) => {
    const to = named.get(name) ?? (ours.includes(name) ? name : '');
    if (to === '' || !ours.includes(to) || taken.has(to)) return '';
    taken.add(to);
    return to;
  });
  return REGISTER_FILES[kind].required.every((column) => taken.has(column)) ? { source, targets } : null;
}

/** A preset's names as renames for this header: for each of our columns, the first of its names the file has. */
export function presetRenames(kind: RegisterKind, presetId: string, header: string[]): ColumnRename[] {
  const columns = presetById(presetId)?.kinds[kind] ?? {};
  const renames: ColumnRename[] = [];
  for (const [to, names] of Object.entries(columns)) {
    const from = names?.find((name) => header.includes(name) && !renames.some((r) => r.from === name));
    if (from) renames.push({ from, to });
  }
  return renames;
}

/** Our names (other columns left out), else the school's saved mapping, else the first preset (the one the school chose first) that gives every required column. */
function planHeader(kind: RegisterKind, header: string[], saved: RegisterMapping | null, preferred?: string): HeaderPlan | null {
  // Our own names, with columns we do not take besides: read by name, the others left out.
  const own = planWith(kind, header, [], 'ours');
  if (own) return own;
  const plan = saved && planWith(kind, header, saved.columns, 'saved');
  if (plan) return plan;
  const presets = [...HEADER_PRESETS].sort((a, b) => Number(b.id === preferred) - Number(a.id === preferred));
  for (const preset of presets) {
    const fromPreset = planWith(kind, header, presetRenames(kind, preset.id, header), preset.id);
    if (fromPreset) return fromPreset;
  }
  return null;
}

/** Whether a file with this header is read as it is, with a plan, or cannot be without the mapping step. */
export type HeaderVerdict = { fits: true; plan: HeaderPlan | null } | { fits: false };

/**
 * How to read a file with this header: as it is when it has our names, else by the school's saved
 * mapping or a preset; not at all (the mapping step) when nothing gives every required column.
 */
export function judgeHeader(kind: RegisterKind, header: string[], saved: RegisterMapping | null, preferred?: string): HeaderVerdict {
  const ours = ourColumns(kind);
  const asIs = REGISTER_FILES[kind].required.every((c) => header.includes(c)) && header.every((name) => ours.includes(name));
  if (asIs) return { fits: true, plan: null };
  const plan = planHeader(kind, header, saved, preferred);
  return plan ? { fits: true, plan } : { fits: false };
}

/** A renames list a mapping form gives: only names the file has, each of ours once. */
export function mappingFromForm(kind: RegisterKind, header: string[], chosen: Record<string, string>): { columns: ColumnRename[]; problems: string[] } {
  const ours = ourColumns(kind);
  const columns: ColumnRename[] = [];
  const problems: string[] = [];
  for (const [index, from] of header.entries()) {
    const to = chosen[`column${index}`] ?? '';
    if (to !== '' && !ours.includes(to)) problems.push(`'${to}' is not one of the columns`);
    else if (to !== '' && columns.some((c) => c.to === to)) problems.push(`two of the file's columns are chosen for '${to}': choose one`);
    else columns.push({ from, to });
  }
  for (const column of REGISTER_FILES[kind].required) {
    if (!columns.some((c) => c.to === column)) problems.push(`choose the file's column for '${column}'`);
  }
  return { columns, problems };
}

/** Why a file's first bytes show it is not CSV text, in the words of what it is; null when they do not. */
function notCsv(head: Buffer): string | null {
  if (head.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) return 'This is a spreadsheet (an Excel .xlsx file), not a CSV file. In the MIS or in Excel, save it as "CSV UTF-8 (comma delimited)" and upload that.';
  if (head.subarray(0, 4).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0]))) return 'This is an old-style Excel .xls file, not a CSV file. Save it as "CSV UTF-8 (comma delimited)" and upload that.';
  if (head.subarray(0, 2).equals(Buffer.from([0xff, 0xfe])) || head.subarray(0, 2).equals(Buffer.from([0xfe, 0xff])))
    return 'This file is saved as Unicode (UTF-16) text, not CSV. Save it as "CSV UTF-8 (comma delimited)" and upload that.';
  if (head.subarray(0, 512).includes(0)) return 'This file is not text (it has bytes no CSV file has). Is it the right file? Save the export as CSV and upload that.';
  return null;
}

/** The file's first line, read from the stream, and the stream of the whole file again (nothing is lost). */
export async function readHead(source: AsyncIterable<Buffer | string>): Promise<{ header: string[] | null; notCsv: string | null; file: Readable }> {
  const iterator = source[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let length = 0;
  let end = -1;
  while (end < 0 && length <= MAX_HEADER_BYTES) {
    const next = await iterator.next();
    if (next.done) break;
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    const at = chunk.indexOf(0x0a);
    if (at >= 0) end = length + at;
    chunks.push(chunk);
    length += chunk.length;
  }
  const head = Buffer.concat(chunks);
  const file = Readable.from(
    (async function* () {
      if (head.length > 0) yield head;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    })(),
  );
  const refused = notCsv(head);
  const line = head.subarray(0, end < 0 ? Math.min(head.length, MAX_HEADER_BYTES) : end).toString('utf8');
  if (refused || (end < 0 && length > MAX_HEADER_BYTES)) return { header: null, notCsv: refused, file };
  try {
    const [names] = parseSync(line, { bom: true, relax_column_count: true }) as string[][];
    return { header: names ? names.map(headerName) : null, notCsv: null, file };
  } catch {
    return { header: null, notCsv: null, file };
  }
}

const quoted = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/**
 * The file with its header renamed by the plan. When it only renames, the records pass through
 * byte for byte (the marks' fast path still applies); when it leaves columns out, each record is
 * read and written again without them, one line for one line, so line numbers still hold (but for
 * a line break inside a quoted cell of a column left out, which is dropped with it).
 */
export function renamed(file: Readable, plan: HeaderPlan | null): Readable {
  if (!plan) return file;
  const keep = plan.targets.flatMap((to, index) => (to ? [index] : []));
  const dropsColumns = keep.length < plan.targets.length;
  const header = keep.map((index) => plan.targets[index]!).join(',');
  return Readable.from(
    (async function* () {
      const iterator = file[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      let buffer = Buffer.alloc(0);
      let end = -1;
      while (end < 0) {
        const next = await iterator.next();
        if (next.done) break;
        buffer = Buffer.concat([buffer, next.value]);
        end = buffer.indexOf(0x0a);
      }
      const lineEnd = end > 0 && buffer[end - 1] === 0x0d ? '\r\n' : '\n';
      yield Buffer.from(header + lineEnd);
      const rest = Readable.from(
        (async function* () {
          if (end >= 0 && end + 1 < buffer.length) yield buffer.subarray(end + 1);
          for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
        })(),
      );
      if (!dropsColumns) {
        yield* rest;
        return;
      }
      // Empty lines are kept as empty lines, so the parser skips them and numbers lines as the file does.
      const records = rest.pipe(parse({ relax_column_count: true, skip_empty_lines: false, bom: false }));
      rest.on('error', (error) => records.destroy(error));
      let out: string[] = [];
      for await (const record of records as AsyncIterable<string[]>) {
        out.push(record.length === 1 && record[0] === '' ? lineEnd : keep.map((index) => quoted(record[index] ?? '')).join(',') + lineEnd);
        if (out.length >= 1000) {
          yield Buffer.from(out.join(''));
          out = [];
        }
      }
      if (out.length > 0) yield Buffer.from(out.join(''));
    })(),
  );
}
