import { CsvError, parse } from 'csv-parse';
import type { Readable } from 'node:stream';
import type { z } from 'zod';
import type { ImportProblem } from '../store/types.ts';

export interface CsvFileSpec<S extends z.ZodType> {
  schema: S;
  required: readonly string[];
  optional: readonly string[];
  /** The schema's output for a row it surely accepts, computed without it; null defers to the schema. */
  quick?: (row: Record<string, string>) => z.output<S> | null;
}

/** A value as a problem report shows it: enough to find it in the file, never a whole 5 MB cell. */
function shown(value: string): string {
  return value.length <= 60 ? value : `${value.slice(0, 57)}… (${value.length} characters)`;
}

export type CsvItem<T> = { line: number; ok: true; value: T } | { line: number; ok: false; problems: ImportProblem[] };

export class CsvHeaderError extends Error {
  constructor(readonly problems: ImportProblem[]) {
    super(problems.map((p) => p.message).join('; '));
    this.name = 'CsvHeaderError';
  }
}

const REPLACEMENT_CHARACTER = '\uFFFD';

export function checkHeader(header: string[], spec: CsvFileSpec<z.ZodType>): ImportProblem[] {
  const expected = [...spec.required, ...spec.optional];
  const problems: ImportProblem[] = [];
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) problems.push({ line: 1, column: name, value: name, message: `column '${name}' appears twice` });
    seen.add(name);
    if (!expected.includes(name)) {
      problems.push({ line: 1, column: name, value: name, message: `unexpected column '${name}' (the columns are: ${expected.join(', ')})` });
    }
  }
  for (const name of spec.required) {
    if (!seen.has(name)) problems.push({ line: 1, column: name, value: '', message: `column '${name}' is missing` });
  }
  return problems;
}

/**
 * Validates one record against the file's header and zod schema: the parsed row, or every
 * problem of a bad one with its line and column.
 */
export function validateRecord<S extends z.ZodType>(spec: CsvFileSpec<S>, header: readonly string[], record: readonly string[], line: number): CsvItem<z.output<S>> {
  const problems: ImportProblem[] = [];
  if (record.length !== header.length) {
    problems.push({ line, column: '', value: shown(record.join(',')), message: `expected ${header.length} fields, found ${record.length}` });
  }
  const row: Record<string, string> = {};
  header.forEach((name, i) => {
    const value = record[i] ?? '';
    if (value.includes(REPLACEMENT_CHARACTER)) {
      problems.push({ line, column: name, value: shown(value), message: 'is not valid UTF-8 (save the export as UTF-8)' });
    } else if (value.includes('\0')) {
      // No database stores a NUL in text: named here, never a raw database error later.
      problems.push({ line, column: name, value: shown(value.replace(/\0/g, '\\0')), message: 'contains a NUL character (the export is damaged)' });
    }
    row[name] = value;
  });
  if (problems.length > 0) return { line, ok: false, problems };
  const quick = spec.quick?.(row);
  if (quick) return { line, ok: true, value: quick };
  const parsed = spec.schema.safeParse(row);
  if (parsed.success) return { line, ok: true, value: parsed.data };
  return {
    line,
    ok: false,
    problems: parsed.error.issues.map((issue) => {
      const column = String(issue.path[0] ?? '');
      const value = shown(row[column] ?? '');
      return { line, column, value, message: `${column} '${value}' ${issue.message}` };
    }),
  };
}

/**
 * Streams a CSV export (UTF-8 with or without BOM, CRLF or LF) and validates each row with the
 * file's zod schema, yielding parsed rows or every problem of a bad row with its line and column.
 * A bad header ends the read: no row can be understood without it. `lineOffset` is for a source
 * that is the header and the rest of a file whose first records were read some other way.
 */
export async function* readCsv<S extends z.ZodType>(source: Readable, spec: CsvFileSpec<S>, lineOffset = 0): AsyncGenerator<CsvItem<z.output<S>>> {
  const parser = source.pipe(
    parse({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true, encoding: 'utf8' }),
  );
  source.on('error', (error) => parser.destroy(error));
  let header: string[] | null = null;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!header) {
        header = record.map((name) => name.trim().toLowerCase());
        const problems = checkHeader(header, spec);
        if (problems.length > 0) throw new CsvHeaderError(problems);
        continue;
      }
      yield validateRecord(spec, header, record, info.lines + lineOffset);
    }
  } catch (error) {
    if (error instanceof CsvError && typeof error.lines === 'number') error.lines += lineOffset;
    throw error;
  }
  if (!header) throw new CsvHeaderError([{ line: 1, column: '', value: '', message: 'the file is empty (expected a header row)' }]);
}
