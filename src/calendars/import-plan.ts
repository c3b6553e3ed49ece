// What importing a file would change in a school's calendar, worked out before anything is saved:
// the preview a person reads, and, unchanged, what saving it writes.
import { addDays } from '../domain/dates.ts';
import { calendarProblems, effectiveTerms, entryName, sortEntries, type CalendarEntry } from '../domain/school-calendar.ts';
import type { CalendarSpec } from '../domain/types.ts';
import type { ImportNote, ParsedCalendarFile } from './import-types.ts';
import { longDate } from '../domain/words.ts';

export interface ImportPlan {
  /** The school's entries once the import is saved. */
  entries: CalendarEntry[];
  added: CalendarEntry[];
  /** The school's own terms that the file's terms replace (they overlap them). */
  removed: CalendarEntry[];
  /** In the file, and already in the calendar. */
  unchanged: CalendarEntry[];
  /** What the file holds that the import leaves out or shortens, and why. */
  notes: ImportNote[];
  /** Why the calendar could not be saved as the import would leave it; none when it can. */
  problems: { field: string; message: string }[];
}

const key = (e: CalendarEntry) => `${e.kind} ${e.start} ${e.end}`;
const overlaps = (a: CalendarEntry, b: CalendarEntry) => a.start <= b.end && b.start <= a.end;

/**
 * The file's terms replace the school's own terms they overlap; its closed days are added where
 * they fall in term time (a range is cut to its term days: the rest is holiday already) unless
 * the same entry is there already.
 */
export function planImport(builtIn: CalendarSpec | null, current: readonly CalendarEntry[], file: ParsedCalendarFile): ImportPlan {
  const notes = [...file.notes];
  const have = new Set(current.map(key));
  const fileTerms = dedupe(file.entries.filter((e) => e.entry.kind === 'term').map((e) => e.entry));
  const removed = current.filter((e) => e.kind === 'term' && !fileTerms.some((t) => key(t) === key(e)) && fileTerms.some((t) => overlaps(t, e)));
  const kept = current.filter((e) => !removed.includes(e));
  const added: CalendarEntry[] = fileTerms.filter((t) => !have.has(key(t)));
  const unchanged: CalendarEntry[] = fileTerms.filter((t) => have.has(key(t)));

  const terms = effectiveTerms(builtIn, [...kept, ...added]);
  const inTerm = (d: string) => terms.some((t) => t.start <= d && d <= t.end);
  const seen = new Set([...kept, ...added].map(key));
  for (const { entry, where } of file.entries) {
    if (entry.kind === 'term') continue;
    let first: string | null = null;
    let last: string | null = null;
    for (let d = entry.start; d <= entry.end; d = addDays(d, 1)) {
      if (!inTerm(d)) continue;
      first ??= d;
      last = d;
    }
    if (first === null || last === null) {
      const why = terms.length === 0 ? 'there are no term dates to place it in (the file has none, and none are held for this school)' : 'the school is closed then already';
      notes.push({ where, message: `${entryName(entry)} (${longDate(entry.start)} to ${longDate(entry.end)}) is outside term time: ${why}, so it is left out` });
      continue;
    }
    const inside = { ...entry, start: first, end: last };
    if (first !== entry.start || last !== entry.end) {
      notes.push({ where, message: `${entryName(entry)} runs outside term time: only its term days, ${first} to ${last}, are taken` });
    }
    if (have.has(key(inside))) unchanged.push(inside);
    else if (!seen.has(key(inside))) added.push(inside);
    seen.add(key(inside));
  }
  const entries = sortEntries([...kept, ...added]);
  return { entries, added: sortEntries(added), removed: sortEntries(removed), unchanged: sortEntries(dedupe(unchanged)), notes, problems: calendarProblems(builtIn, entries) };
}

function dedupe(entries: CalendarEntry[]): CalendarEntry[] {
  const seen = new Set<string>();
  return entries.filter((e) => !seen.has(key(e)) && seen.add(key(e)));
}
