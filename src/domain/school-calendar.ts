// One school's calendar as data: its LA's term dates (where the service holds them) plus what the
// school enters itself (term dates, INSET days, closures, holidays), checked and turned into the
// CalendarSpec the school-day arithmetic runs on.
import { z } from 'zod';
import { addDays, compareDates, dayOfWeek, daysBetween, isIsoDate } from './dates.ts';
import type { CalendarSpec, IsoDate } from './types.ts';
import { longDate } from './words.ts';

/** Days inside a term when the school is closed, by why. */
export const DAY_KINDS = ['inset', 'closure', 'holiday', 'bank-holiday'] as const;
export const ENTRY_KINDS = ['term', ...DAY_KINDS] as const;
export type CalendarEntryKind = (typeof ENTRY_KINDS)[number];

/** What each kind is called on pages, in files and in the CLI's output. */
export const KIND_NAMES: Record<CalendarEntryKind, string> = {
  term: 'Term',
  inset: 'INSET day',
  closure: 'Closure',
  holiday: 'Holiday',
  'bank-holiday': 'Bank holiday',
};

/** One line of a school's own calendar: a term, or days (one or a range) it is closed. */
export interface CalendarEntry {
  kind: CalendarEntryKind;
  start: IsoDate;
  /** The last day, included; the start for a single day. */
  end: IsoDate;
  description: string;
}

/** Term dates before this or after the other are a typing mistake, not a school year. */
export const EARLIEST_DATE = '2000-01-01';
export const LATEST_DATE = '2099-12-31';
/** The longest English term (autumn, early September to the Christmas holidays) is about 16 weeks. */
export const LONGEST_TERM_DAYS = 140;
export const MAX_ENTRIES = 1000;
export const MAX_DESCRIPTION = 200;

const calendarDate = z
  .string()
  .trim()
  .refine(isIsoDate, { error: 'expected a date as YYYY-MM-DD' })
  .refine((d) => d >= EARLIEST_DATE && d <= LATEST_DATE, { error: `expected a date from ${EARLIEST_DATE} to ${LATEST_DATE}` });

export const calendarEntrySchema = z
  .object({
    kind: z.enum(ENTRY_KINDS, { error: `expected one of: ${ENTRY_KINDS.join(', ')}` }),
    start: calendarDate,
    end: calendarDate,
    description: z.string().trim().max(MAX_DESCRIPTION, { error: `at most ${MAX_DESCRIPTION} characters` }),
  })
  .superRefine((entry, ctx) => {
    if (entry.end < entry.start) ctx.addIssue({ code: 'custom', path: ['end'], message: `ends (${entry.end}) before it starts (${entry.start})` });
    else if (entry.kind === 'term' && daysBetween(entry.start, entry.end) + 1 > LONGEST_TERM_DAYS) {
      ctx.addIssue({
        code: 'custom',
        path: ['end'],
        message: `a term of ${daysBetween(entry.start, entry.end) + 1} days is longer than any school term (at most ${LONGEST_TERM_DAYS}): enter each term separately, with its half-term break as a holiday`,
      });
    }
  }) satisfies z.ZodType<CalendarEntry>;

/** A bank holiday from GOV.UK's list, as workflows/calendars/bank-holidays.ts holds it. */
export interface BankHoliday {
  date: IsoDate;
  name: string;
}

/** The school year (1 September to 31 August) a date belongs to, by the calendar year it starts in; a term starting in August belongs to the year it leads into. */
export function schoolYearOf(d: IsoDate): number {
  const year = Number(d.slice(0, 4));
  return d.slice(5, 7) >= '08' ? year : year - 1;
}

export const schoolYearName = (year: number) => `${year}-${String((year + 1) % 100).padStart(2, '0')}`;

export const entryName = (entry: Pick<CalendarEntry, 'kind' | 'description'>) => entry.description || KIND_NAMES[entry.kind];

export interface EffectiveTerm {
  name: string;
  start: IsoDate;
  end: IsoDate;
  /** Entered by the school, or its LA's term dates that the service holds. */
  source: 'school' | 'la';
}

/**
 * The terms a school runs on: those it entered itself, and its LA's (none when the service holds
 * no calendar for its LA) except where one of its own overlaps them. An academy that sets its own
 * autumn term replaces the LA's autumn half-terms and keeps the LA's spring and summer.
 */
export function effectiveTerms(builtIn: CalendarSpec | null, entries: readonly CalendarEntry[]): EffectiveTerm[] {
  const own = entries.filter((e) => e.kind === 'term');
  const replaced = (t: { start: IsoDate; end: IsoDate }) => own.some((o) => o.start <= t.end && t.start <= o.end);
  return [
    ...(builtIn?.terms ?? []).filter((t) => !replaced(t)).map((t) => ({ ...t, source: 'la' as const })),
    ...own.map((t) => ({ name: entryName(t), start: t.start, end: t.end, source: 'school' as const })),
  ].sort((a, b) => compareDates(a.start, b.start) || compareDates(a.end, b.end));
}

const inside = (terms: readonly { start: IsoDate; end: IsoDate }[], d: IsoDate) => terms.some((t) => t.start <= d && d <= t.end);

/**
 * A school's entries on top of its LA's term dates, as zod checks them: each entry on its own, then
 * the calendar they make (terms that do not overlap, closed days in term time, no entry twice, a
 * school that is open on some day).
 */
export function schoolCalendarSchema(builtIn: CalendarSpec | null) {
  return z
    .array(calendarEntrySchema)
    .max(MAX_ENTRIES, { error: (issue) => `at most ${MAX_ENTRIES} entries; this calendar has ${(issue.input as unknown[]).length}` })
    // Piped: the calendar is looked at whole only once every entry is well formed.
    .pipe(z.custom<CalendarEntry[]>())
    .superRefine((entries, ctx) => {
      const problem = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
      const terms = effectiveTerms(builtIn, entries);
      if (terms.length === 0) {
        problem([], 'there are no term dates: the service holds none for this local authority, so enter the school’s terms first (each term’s first and last day)');
        return;
      }
      for (let i = 1; i < terms.length; i++) {
        const previous = terms[i - 1]!;
        const term = terms[i]!;
        if (term.start <= previous.end) problem([], `terms '${previous.name}' (${previous.start} to ${previous.end}) and '${term.name}' (${term.start} to ${term.end}) overlap`);
      }
      const seen = new Set<string>();
      entries.forEach((entry, i) => {
        const key = `${entry.kind} ${entry.start} ${entry.end}`;
        if (seen.has(key)) problem([i], `${entryName(entry)} from ${longDate(entry.start)} to ${longDate(entry.end)} is entered twice`);
        seen.add(key);
        if (entry.kind === 'term') return;
        for (const [field, d] of [['start', entry.start], ['end', entry.end]] as const) {
          if (!inside(terms, d)) {
            problem([i, field], `${entryName(entry)} on ${longDate(d)} is not in term time (${termsAround(terms, d)}): the school is closed then anyway. Enter the term dates first if they are missing`);
          }
        }
      });
      if (!terms.some((t) => hasWeekday(t, entries))) problem([], 'every term day is a weekend or a closure: the school would never be open');
    });
}

/** Everything wrong with a school's entries, each said so that the person who typed it can put it right; none when the calendar can be built. */
export function calendarProblems(builtIn: CalendarSpec | null, entries: readonly CalendarEntry[]): { field: string; message: string }[] {
  const parsed = schoolCalendarSchema(builtIn).safeParse(entries);
  if (parsed.success) return [];
  return oncePerEntry(parsed.error.issues.map((issue) => ({ field: ['entries', ...issue.path.map(String)].join('.'), message: issue.message })));
}

/** A one-day entry outside term (or out of range) is one problem, not one for its start and one for its end. */
function oncePerEntry(problems: { field: string; message: string }[]) {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.field.split('.').slice(0, 2).join('.')} ${p.message}`;
    return !seen.has(key) && seen.add(key);
  });
}

function termsAround(terms: readonly EffectiveTerm[], d: IsoDate): string {
  const before = terms.filter((t) => t.end < d).at(-1);
  const after = terms.find((t) => t.start > d);
  if (!before && !after) return 'no term dates';
  if (!before) return `the first term starts on ${longDate(after!.start)}`;
  if (!after) return `the last term ends on ${longDate(before.end)}`;
  return `between '${before.name}', ending ${longDate(before.end)}, and '${after.name}', starting ${longDate(after.start)}`;
}

function hasWeekday(term: { start: IsoDate; end: IsoDate }, entries: readonly CalendarEntry[]): boolean {
  for (let d = term.start; d <= term.end; d = addDays(d, 1)) {
    const weekday = dayOfWeek(d) % 6 !== 0;
    if (weekday && !entries.some((e) => e.kind !== 'term' && e.start <= d && d <= e.end)) return true;
  }
  return false;
}

/**
 * The CalendarSpec of a school: its effective terms; its LA's closures inside the LA terms it
 * keeps; England's bank holidays inside the terms it entered; and its own closed days (a range
 * closes each of its days that falls in a term).
 */
export function schoolCalendarSpec(builtIn: CalendarSpec | null, entries: readonly CalendarEntry[], bankHolidays: readonly BankHoliday[]): CalendarSpec {
  const terms = effectiveTerms(builtIn, entries);
  const laTerms = terms.filter((t) => t.source === 'la');
  const ownTerms = terms.filter((t) => t.source === 'school');
  const closures = new Map<IsoDate, string>();
  const close = (date: IsoDate, reason: string) => {
    if (!closures.has(date) && inside(terms, date)) closures.set(date, reason);
  };
  for (const entry of entries) {
    if (entry.kind === 'term') continue;
    for (let d = entry.start; d <= entry.end; d = addDays(d, 1)) close(d, entryName(entry));
  }
  for (const c of builtIn?.closures ?? []) if (inside(laTerms, c.date)) close(c.date, c.reason);
  for (const h of bankHolidays) if (inside(ownTerms, h.date)) close(h.date, h.name);
  return {
    terms: terms.map(({ name, start, end }) => ({ name, start, end })),
    closures: [...closures].map(([date, reason]) => ({ date, reason })).sort((a, b) => compareDates(a.date, b.date)),
  };
}

/** Entries in the order pages and files list them: by date, terms before the days inside them. */
export function sortEntries(entries: readonly CalendarEntry[]): CalendarEntry[] {
  return [...entries].sort((a, b) => compareDates(a.start, b.start) || (a.kind === 'term' ? -1 : 0) - (b.kind === 'term' ? -1 : 0) || compareDates(a.end, b.end) || a.kind.localeCompare(b.kind));
}
