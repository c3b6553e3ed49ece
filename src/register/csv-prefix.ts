import { isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Splits a CSV file into the records a database's `COPY … (FORMAT csv)` reads exactly as
 * csv-parse does (one line each, the header's number of fields, quotes only around whole fields,
 * valid UTF-8, no NUL, one kind of line end) and the rest, from the first record that is not
 * like that: a quoted field with a line break in it, a ragged row, a stray quote, bytes that are
 * not UTF-8. The rest goes through csv-parse with the file's header in front of it, so such a
 * file reads as it always did, line numbers and all.
 */
export class CsvPrefix {
  /** The header line as the file has it, line end included; null when there is none. */
  header: Buffer | null = null;
  /** Lines of the file before `rest` (the header and every record `records()` yielded). */
  lines = 0;
  /** After `records()` ends: the header and every byte from the first record it could not vouch for; null if there is none. */
  rest: Readable | null = null;

  readonly #source: AsyncIterator<Buffer | string>;
  #carry: Buffer = Buffer.alloc(0);
  #crlf = false;

  constructor(source: AsyncIterable<Buffer | string>) {
    this.#source = source[Symbol.asyncIterator]();
  }

  async #next(): Promise<Buffer | null> {
    const { value, done } = await this.#source.next();
    if (done) return null;
    return typeof value === 'string' ? Buffer.from(value) : value;
  }

  /** Reads the header line; null (and the whole file in `rest`) when it is not a plain line of names. */
  async readHeader(): Promise<string[] | null> {
    let buffer: Buffer = Buffer.alloc(0);
    let end = -1;
    for (let chunk = await this.#next(); chunk !== null; chunk = await this.#next()) {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      end = buffer.indexOf(LF);
      if (end >= 0) break;
    }
    const bom = buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
    const text = end < 0 ? '' : buffer.toString('latin1', bom, end).replace(/\r$/, '');
    // Quoted names, an empty first line or anything but ASCII: csv-parse knows what those mean.
    if (end < 0 || !/^[\x20-\x21\x23-\x7e]+$/.test(text)) {
      this.#handOver(buffer);
      return null;
    }
    this.header = buffer.subarray(0, end + 1);
    this.#carry = buffer.subarray(end + 1);
    // csv-parse takes its line end from the header; a record ending otherwise is read its way.
    this.#crlf = buffer[end - 1] === CR;
    this.lines = 1;
    return text.split(',').map((name) => name.trim().toLowerCase());
  }

  #handOver(head: Buffer) {
    const source = this.#source;
    const header = this.header;
    this.rest = Readable.from(
      (async function* () {
        if (header) yield header;
        if (head.length > 0) yield head;
        for (let next = await source.next(); !next.done; next = await source.next()) yield next.value;
      })(),
    );
  }

  /**
   * The clean records, in chunks of whole lines, until the end of the file or the first record
   * that is not clean (which starts `rest`). `onLines` hears the running count of lines.
   */
  async *records(fields: number, onLines?: (lines: number) => void): AsyncGenerator<Buffer> {
    let buffer = this.#carry;
    for (;;) {
      const chunk = await this.#next();
      if (chunk !== null) buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      const { clean, lines, dirty } = this.#scan(buffer, fields, chunk === null);
      this.lines += lines;
      if (clean > 0) yield buffer.subarray(0, clean);
      onLines?.(this.lines);
      if (dirty) {
        this.#handOver(buffer.subarray(clean));
        return;
      }
      if (chunk === null) return;
      buffer = buffer.subarray(clean);
    }
  }

  /**
   * How many bytes from the start of `buffer` are clean whole lines, and whether the line after
   * them is not clean. At the end of the file the last line needs no line end.
   */
  #scan(buffer: Buffer, fields: number, atEnd: boolean): { clean: number; lines: number; dirty: boolean } {
    let lineStart = 0;
    let lines = 0;
    let count = 1;
    let quoted = false;
    // After a field's closing quote (or a doubled quote inside it: the next byte decides).
    let closed = false;
    let fieldStart = true;
    let wide = false;
    const length = buffer.length;
    for (let i = 0; i < length; i++) {
      const b = buffer[i]!;
      if (quoted) {
        if (b === QUOTE) {
          quoted = false;
          closed = true;
        } else if (b === LF || b === CR || b === 0) return { clean: lineStart, lines, dirty: true };
        else if (b >= 0x80) wide = true;
        continue;
      }
      if (closed) {
        closed = false;
        // A doubled quote inside a quoted field stands for one quote.
        if (b === QUOTE) {
          quoted = true;
          continue;
        }
        if (b !== COMMA && b !== LF && b !== CR) return { clean: lineStart, lines, dirty: true };
      }
      if (b === COMMA) {
        count += 1;
        fieldStart = true;
        continue;
      }
      if (b === LF || b === CR) {
        const crlf = b === CR;
        if (crlf && buffer[i + 1] !== LF) {
          // A CR as the last byte of a chunk may yet be followed by an LF.
          if (i + 1 === length && !atEnd) return { clean: lineStart, lines, dirty: false };
          return { clean: lineStart, lines, dirty: true };
        }
        if (count !== fields || this.#crlf !== crlf) return { clean: lineStart, lines, dirty: true };
        const end = crlf ? i + 2 : i + 1;
        if (wide && !isUtf8(buffer.subarray(lineStart, end))) return { clean: lineStart, lines, dirty: true };
        i = end - 1;
        lineStart = end;
        lines += 1;
        count = 1;
        fieldStart = true;
        wide = false;
        continue;
      }
      if (b === QUOTE) {
        if (!fieldStart) return { clean: lineStart, lines, dirty: true };
        quoted = true;
      } else if (b === 0) return { clean: lineStart, lines, dirty: true };
      else if (b >= 0x80) wide = true;
      fieldStart = false;
    }
    if (!atEnd || lineStart === length) return { clean: lineStart, lines, dirty: false };
    // The last line of the file, without a line end.
    if (quoted || count !== fields || (wide && !isUtf8(buffer.subarray(lineStart)))) return { clean: lineStart, lines, dirty: true };
    return { clean: length, lines: lines + 1, dirty: false };
  }
}
