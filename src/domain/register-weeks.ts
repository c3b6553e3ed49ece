import { ATTENDANCE_CODES, THRESHOLD_UNAUTHORISED_CODES } from './codes.ts';
import { addDays, dayOfWeek } from './dates.ts';
import type { CodeCategory, IsoDate, Mark } from './types.ts';

/**
 * The register as the evaluation reads it: one row per pupil per calendar week (Monday to Sunday, keyed by `mondayOf`)
 * holding that week's marks packed, and their counts. In PostgreSQL these weeks are the register itself (migration 019),
 * every change of a code kept as an amendment beside them; migration 018 made them, and its SQL functions
 * `mark_code_char` and `mark_code_category` mirror the tables below.
 *
 * A week's marks pack as one pair of characters per session, in session order: the slot
 * (`a` + day of the week from Monday × 2 + 1 for PM, so `a`..`n`) then the code as one character.
 * Codes of two characters take one of their own; no code character is a lower-case letter, so a
 * code can be found in a packed week with a character class.
 */

const TWO_CHARACTER_CODES: Readonly<Record<string, string>> = {
  C1: '!', C2: '%', J1: '$', Y1: '1', Y2: '2', Y3: '3', Y4: '4', Y5: '5', Y6: '6', Y7: '7',
};

const CHAR_OF = new Map<string, string>(ATTENDANCE_CODES.map(({ code }) => [code, TWO_CHARACTER_CODES[code] ?? code]));
const CODE_OF = new Map<string, string>([...CHAR_OF].map(([code, char]) => [char, code]));

/** The one character a national code packs as (the code itself for one-character codes). */
export function codeChar(code: string): string {
  const char = CHAR_OF.get(code);
  if (char === undefined) throw new RangeError(`'${code}' is not a national attendance code`);
  return char;
}

/** The national code a packed character stands for. */
export function codeOfChar(char: string): string {
  const code = CODE_OF.get(char);
  if (code === undefined) throw new RangeError(`'${char}' is not a packed attendance code`);
  return code;
}

/**
 * A regular expression matching a packed week that holds any of `codes` (a character class;
 * each character but letters and digits escaped), or matching none when none of them is a national code.
 */
export function codesPattern(codes: readonly string[]): string {
  const chars = codes.flatMap((code) => CHAR_OF.get(code) ?? []);
  return chars.length === 0 ? '^$' : `[${chars.map((char) => (/[A-Z0-9]/.test(char) ? char : `\\${char}`)).join('')}]`;
}

/** How a week's marks are counted: what the evaluation and the trends read without the marks. */
export interface WeekCounts {
  possible: number;
  present: number;
  approved: number;
  authorised: number;
  unauthorised: number;
  /** G, O and U: the sessions the national threshold counts. */
  threshold: number;
  /** N: reason for absence not yet established. */
  n: number;
}

const CATEGORY_OF_CHAR = new Map<string, CodeCategory>(ATTENDANCE_CODES.map(({ code, category }) => [codeChar(code), category]));
const THRESHOLD_CHARS = new Set([...THRESHOLD_UNAUTHORISED_CODES].map(codeChar));
const N_CHAR = codeChar('N');

/** Packs one week's marks (all dated in the same week, one per session), in any order. */
export function packWeek(marks: readonly Pick<Mark, 'date' | 'session' | 'code'>[]): string {
  const slots = marks.map((mark) => ({ slot: ((dayOfWeek(mark.date) + 6) % 7) * 2 + (mark.session === 'PM' ? 1 : 0), char: codeChar(mark.code) }));
  slots.sort((a, b) => a.slot - b.slot);
  return slots.map(({ slot, char }) => String.fromCharCode(97 + slot) + char).join('');
}

/** The counts of a packed week. */
export function weekCounts(packed: string): WeekCounts {
  const counts: WeekCounts = { possible: 0, present: 0, approved: 0, authorised: 0, unauthorised: 0, threshold: 0, n: 0 };
  for (let i = 1; i < packed.length; i += 2) {
    const char = packed[i]!;
    const category = CATEGORY_OF_CHAR.get(char);
    if (category === undefined) throw new RangeError(`'${char}' is not a packed attendance code`);
    if (category === 'notCounted') continue;
    counts.possible += 1;
    if (category === 'present') counts.present += 1;
    else if (category === 'approvedEducation') counts.approved += 1;
    else if (category === 'authorised') counts.authorised += 1;
    else counts.unauthorised += 1;
    if (THRESHOLD_CHARS.has(char)) counts.threshold += 1;
    if (char === N_CHAR) counts.n += 1;
  }
  return counts;
}

/**
 * Appends a packed week's marks to `into`, keeping those dated within from..to and, when `codes`
 * is given, only those codes. `dateOf` turns a day (days since 1970-01-01) into its date, so a
 * caller unpacking many weeks can keep one cache of them.
 */
export function unpackWeek(
  into: Mark[],
  upn: string,
  weekDay: number,
  packed: string,
  dateOf: (day: number) => IsoDate,
  range: { from?: IsoDate | undefined; to?: IsoDate | undefined; codes?: ReadonlySet<string> | undefined } = {},
): void {
  for (let i = 0; i + 1 < packed.length; i += 2) {
    const slot = packed.charCodeAt(i) - 97;
    const code = codeOfChar(packed[i + 1]!);
    if (range.codes && !range.codes.has(code)) continue;
    const date = dateOf(weekDay + (slot >> 1));
    if ((range.from !== undefined && date < range.from) || (range.to !== undefined && date > range.to)) continue;
    into.push({ upn, date, session: slot & 1 ? 'PM' : 'AM', code });
  }
}

/** One pupil's week as the store keeps it: its Monday, its packed marks and their counts. */
export interface RegisterWeek extends WeekCounts {
  week: IsoDate;
  codes: string;
}

const ATTENDED = new Set<CodeCategory>(['present', 'approvedEducation']);

// A school's pupils share their weeks: each Friday is worked out once (about 52 a year).
const FRIDAYS = new Map<IsoDate, IsoDate>();
function fridayOf(monday: IsoDate): IsoDate {
  let friday = FRIDAYS.get(monday);
  if (friday === undefined) FRIDAYS.set(monday, (friday = addDays(monday, 4)));
  return friday;
}

/**
 * Attended and possible sessions of a week's marks dated from..to (the first school day of the
 * period and the day measured), as computeMetrics counts them: from the week's counts when the
 * whole week lies inside (no weekend sessions, Monday to Friday within from..to), else from its
 * packed marks.
 */
export function weekAttendance(week: RegisterWeek, from: IsoDate, to: IsoDate): { attended: number; possible: number } {
  const friday = fridayOf(week.week);
  const lastSlot = week.codes.charCodeAt(week.codes.length - 2) - 97;
  if (week.week >= from && friday <= to && lastSlot < 10) return { attended: week.present + week.approved, possible: week.possible };
  let attended = 0;
  let possible = 0;
  for (let i = 0; i + 1 < week.codes.length; i += 2) {
    const date = addDays(week.week, (week.codes.charCodeAt(i) - 97) >> 1);
    if (date < from || date > to) continue;
    const category = CATEGORY_OF_CHAR.get(week.codes[i + 1]!);
    if (category === undefined) throw new RangeError(`'${week.codes[i + 1]}' is not a packed attendance code`);
    if (category === 'notCounted') continue;
    possible += 1;
    if (ATTENDED.has(category)) attended += 1;
  }
  return { attended, possible };
}

/** A session of a week whose code a later file changed: its slot (day × 2 + 1 for PM), the code it had and the file's. */
export interface WeekAmendment {
  slot: number;
  originalCode: string;
  newCode: string;
}

/**
 * A week as the register holds it (`stored`) with a file's marks of the same week (`file`) laid
 * over it: the file wins for each session it names, every other session keeps its code. Says
 * which sessions were new, which changed (each an amendment) and which the file repeated as they were.
 */
export function mergeWeek(stored: string, file: string): { codes: string; inserted: number; unchanged: number; amended: WeekAmendment[] } {
  const chars: (string | undefined)[] = new Array(14);
  for (let i = 0; i + 1 < stored.length; i += 2) chars[stored.charCodeAt(i) - 97] = stored[i + 1]!;
  let inserted = 0;
  let unchanged = 0;
  const amended: WeekAmendment[] = [];
  for (let i = 0; i + 1 < file.length; i += 2) {
    const slot = file.charCodeAt(i) - 97;
    const char = file[i + 1]!;
    const before = chars[slot];
    if (before === undefined) inserted += 1;
    else if (before === char) unchanged += 1;
    else amended.push({ slot, originalCode: codeOfChar(before), newCode: codeOfChar(char) });
    chars[slot] = char;
  }
  let codes = '';
  for (let slot = 0; slot < chars.length; slot++) if (chars[slot] !== undefined) codes += String.fromCharCode(97 + slot) + chars[slot];
  return { codes, inserted, unchanged, amended };
}

/** A packed week without its sessions before `slot` (retention cutting the week its date falls in). */
export function weekFrom(packed: string, slot: number): string {
  let i = 0;
  while (i + 1 < packed.length && packed.charCodeAt(i) - 97 < slot) i += 2;
  return packed.slice(i);
}
