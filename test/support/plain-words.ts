// What a page, letter, PDF or email may not say: the service's own identifiers and numbers no
// person writes (issue 19 item 10). Used by the browser suites on every page they look at, and by
// the words suite on the PDFs and emails it makes.

export interface CodeWord {
  word: string;
  kind: string;
  /** The text around it, to find it on the page. */
  around: string;
}

/**
 * Taken out before looking, each because it is not our identifier in a person's sentence:
 * email addresses (a person's address is written as it is), web addresses (a link printed so a
 * reader can type it) and "iCalendar", the calendar file format's own name (RFC 5545), which is
 * what a local authority calls the file it publishes.
 */
const NOT_CODE = [/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, /\bhttps?:\/\/\S+/g, /\biCalendar\b/g];

const PATTERNS: { kind: string; pattern: RegExp }[] = [
  // persistentAbsence, atRisk, penaltyNotice (a brand such as "iPhone" is not in our pages).
  { kind: 'camelCase name', pattern: /\b[a-z]+(?:[A-Z][a-z0-9]*)+\b/g },
  // social_worker, Review_due, REVIEW_DUE.
  { kind: 'snake_case name', pattern: /\b[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+\b/g },
  // west-coventry/letter-b, open.stage1b: a path or dotted state, not "and/or" or "1/2".
  { kind: 'path or dotted name', pattern: /\b[a-z][a-z0-9-]*[-0-9][a-z0-9-]*\/[a-z0-9-]+\b|\b[a-z][a-z0-9-]*\/[a-z0-9-]*[-0-9][a-z0-9-]*\b|\b[a-z]+[a-z0-9]*\.[a-z][a-z0-9]*[A-Z0-9][A-Za-z0-9]*\b/g },
  // 86.88524590163935%: more than one decimal place.
  { kind: 'unrounded number', pattern: /\b\d+\.\d{3,}\b|\b\d+\.\d{2,}\s*%/g },
  // 2025-12-01 or 2025-12-01T09:00:00.000Z: a date as the machine writes it.
  { kind: 'ISO date', pattern: /\b\d{4}-\d{2}-\d{2}(?:T[\d:.]+Z?)?\b/g },
  // "1 session(s)": a plural the service could not be bothered to work out.
  { kind: 'plural in brackets', pattern: /\w\((?:s|es)\)/g },
  // A raw JSON record: {"field": … or [object Object].
  { kind: 'raw record', pattern: /\{\s*"\w+"\s*:|\[object Object\]/g },
  // "legal step legal step", "Approval approve": a label run into its own value.
  { kind: 'doubled words', pattern: /\b(\w{3,}(?: \w{3,})?) \1\b/gi },
  // undefined, null and NaN as words on a page.
  { kind: 'missing value', pattern: /\b(?:undefined|NaN)\b/g },
];

/**
 * Every identifier-like word or unrounded number in `text`, with a little of what surrounds it.
 * `skip` leaves kinds out where the text cannot show them truly: a PDF's text, read back, runs a
 * table's cells together line by line, so two cells ending in the same name ("Amira Hughes" as the
 * recipient and in the letter's subject) would read as doubled words.
 */
export function findCodeWords(text: string, skip: readonly string[] = []): CodeWord[] {
  let plain = text;
  for (const pattern of NOT_CODE) plain = plain.replace(pattern, ' ');
  const found: CodeWord[] = [];
  for (const { kind, pattern } of PATTERNS.filter(({ kind }) => !skip.includes(kind))) {
    for (const match of plain.matchAll(pattern)) {
      const at = match.index ?? 0;
      found.push({ word: match[0], kind, around: plain.slice(Math.max(0, at - 40), at + match[0].length + 40).replace(/\s+/g, ' ').trim() });
    }
  }
  return found;
}

/** A failure message naming each offending word and where it was, or '' when the text is clean. */
export function codeWordReport(where: string, text: string, skip: readonly string[] = []): string {
  const found = findCodeWords(text, skip);
  const seen = new Set<string>();
  const lines = found.filter(({ word, kind }) => !seen.has(`${kind}:${word}`) && seen.add(`${kind}:${word}`)).map(({ word, kind, around }) => `  ${kind} "${word}" in "…${around}…"`);
  return lines.length === 0 ? '' : `${where} says:\n${lines.join('\n')}`;
}
