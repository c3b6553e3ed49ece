// The one way to a school's calendar: its LA's term dates plus what the school entered, built
// once and kept per process. Everything that counts school days for a school asks here.
import { createHash } from 'node:crypto';
import { createCalendar, type SchoolCalendar } from '../domain/calendar.ts';
import { calendarProblems, effectiveTerms, schoolCalendarSpec, type CalendarEntry, type EffectiveTerm } from '../domain/school-calendar.ts';
import type { CalendarSpec } from '../domain/types.ts';
import { AppError } from '../errors.ts';
import type { School, Store, StoredSchoolCalendar } from '../store/types.ts';
import { BANK_HOLIDAYS } from '../../workflows/calendars/bank-holidays.ts';
import { builtInCalendarId, CALENDAR_NAMES, CALENDARS } from '../../workflows/calendars/index.ts';

/**
 * How long a process answers from what it holds before it looks whether the calendar changed.
 * An edit in this process is seen at once; one made through another process (the web while this
 * is the worker) within this time.
 */
export const REVALIDATE_MS = 5_000;
/** Schools on the same calendar share one; past this many different ones the oldest is rebuilt when next asked for. */
const MAX_SHARED = 500;

type SchoolRef = Pick<School, 'id' | 'name' | 'localAuthority'>;

interface Held {
  localAuthority: string;
  revision: number;
  calendar: SchoolCalendar;
  checkedAt: number;
}

// Per store, so that two stores in one process (tests, the contract suite) never share schools.
const heldByStore = new WeakMap<Store, Map<string, Held>>();
const shared = new Map<string, SchoolCalendar>();

function heldFor(store: Store): Map<string, Held> {
  let held = heldByStore.get(store);
  if (!held) heldByStore.set(store, (held = new Map()));
  return held;
}

/** The LA's term dates the service holds for the school, and whose they are. */
export function builtInFor(localAuthority: string): { id: string; name: string; spec: CalendarSpec } | null {
  const id = builtInCalendarId(localAuthority);
  return id ? { id, name: CALENDAR_NAMES[id], spec: CALENDARS[id] } : null;
}

/** The school cannot be measured yet: its LA's term dates are not held and it entered none. */
export const hasNoTermDates = (error: unknown) => error instanceof AppError && error.code === 'no_term_dates';

/** The calendar of the LA's term dates and these entries; schools whose calendars are the same share one. */
export function buildSchoolCalendar(school: SchoolRef, entries: readonly CalendarEntry[]): SchoolCalendar {
  const builtIn = builtInFor(school.localAuthority);
  if (effectiveTerms(builtIn?.spec ?? null, entries).length === 0) {
    throw new AppError(
      422,
      'no_term_dates',
      `${school.name} has no term dates: the service holds none for its local authority (${school.localAuthority}). Enter the school’s term dates on its calendar page first.`,
    );
  }
  const spec = schoolCalendarSpec(builtIn?.spec ?? null, entries, BANK_HOLIDAYS);
  const fingerprint = createHash('sha256').update(JSON.stringify(spec)).digest('base64url');
  let calendar = shared.get(fingerprint);
  if (!calendar) {
    try {
      calendar = createCalendar(spec);
    } catch (error) {
      throw new AppError(422, 'calendar_invalid', `${school.name}’s calendar cannot be used: ${(error as Error).message.slice(0, 300)}. Correct it on the school’s calendar page.`);
    }
    if (shared.size >= MAX_SHARED) shared.delete(shared.keys().next().value!);
    shared.set(fingerprint, calendar);
  }
  return calendar;
}

/**
 * The school's calendar: in memory on every call but one each REVALIDATE_MS, which reads the
 * stored calendar and rebuilds only if its revision (or the school's LA) changed.
 */
export async function calendarForSchool(store: Store, school: SchoolRef): Promise<SchoolCalendar> {
  const held = heldFor(store);
  const known = held.get(school.id);
  const now = performance.now();
  const same = known?.localAuthority === school.localAuthority;
  if (known && same && now - known.checkedAt < REVALIDATE_MS) return known.calendar;
  const stored = await store.getSchoolCalendar(school.id);
  if (known && same && known.revision === stored.revision) {
    known.checkedAt = now;
    return known.calendar;
  }
  const calendar = buildSchoolCalendar(school, stored.entries);
  held.set(school.id, { localAuthority: school.localAuthority, revision: stored.revision, calendar, checkedAt: now });
  return calendar;
}

export interface SchoolCalendarView {
  school: { id: string; name: string; localAuthority: string };
  /** The LA whose term dates the service holds for this school; null when it holds none. */
  localAuthorityCalendar: { id: string; name: string } | null;
  revision: number;
  updatedAt: Date | null;
  updatedBy: string | null;
  /** The school's own entries. */
  entries: CalendarEntry[];
  /** The terms the school runs on, with how many school days each has. */
  terms: (EffectiveTerm & { schoolDays: number | null })[];
  /** Why the stored calendar cannot be used as it is (the LA's term dates changed under it); none when it can. */
  problems: { field: string; message: string }[];
}

export async function viewSchoolCalendar(store: Store, school: SchoolRef): Promise<SchoolCalendarView> {
  const stored = await store.getSchoolCalendar(school.id);
  const builtIn = builtInFor(school.localAuthority);
  const problems = calendarProblems(builtIn?.spec ?? null, stored.entries);
  const calendar = problems.length === 0 ? buildSchoolCalendar(school, stored.entries) : null;
  return {
    school: { id: school.id, name: school.name, localAuthority: school.localAuthority },
    localAuthorityCalendar: builtIn && { id: builtIn.id, name: builtIn.name },
    revision: stored.revision,
    updatedAt: stored.updatedAt,
    updatedBy: stored.updatedBy,
    entries: stored.entries,
    terms: effectiveTerms(builtIn?.spec ?? null, stored.entries).map((term) => ({ ...term, schoolDays: calendar?.countSchoolDays(term.start, term.end) ?? null })),
    problems,
  };
}

export const calendarChanged = () =>
  new AppError(409, 'calendar_changed', 'Someone changed this calendar since you opened it, so nothing was saved. Look at it again, then repeat your change.');

/**
 * Saves the school's entries if they make a calendar the service can use and nobody saved since
 * `expectedRevision`; this process uses the new calendar from its next question on.
 */
export async function saveSchoolCalendar(store: Store, school: SchoolRef, entries: CalendarEntry[], meta: { expectedRevision: number; by: string; at: Date }): Promise<StoredSchoolCalendar> {
  const problems = calendarProblems(builtInFor(school.localAuthority)?.spec ?? null, entries);
  if (problems.length > 0) throw new AppError(422, 'invalid_calendar', `The calendar was not saved: ${problems[0]!.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}.`, { problems });
  buildSchoolCalendar(school, entries);
  const saved = await store.saveSchoolCalendar(school.id, entries, meta);
  heldFor(store).delete(school.id);
  if (!saved) throw calendarChanged();
  return saved;
}

/**
 * One change to the calendar as it is now (an entry added or removed): re-read and re-applied
 * when someone else saved in between, since such a change does not depend on theirs.
 */
export async function changeSchoolCalendar(
  store: Store,
  school: SchoolRef,
  change: (entries: CalendarEntry[]) => CalendarEntry[],
  meta: { by: string; at: Date },
): Promise<StoredSchoolCalendar> {
  for (let attempt = 1; ; attempt++) {
    const current = await store.getSchoolCalendar(school.id);
    try {
      return await saveSchoolCalendar(store, school, change(current.entries), { ...meta, expectedRevision: current.revision });
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'calendar_changed' || attempt >= 3) throw error;
    }
  }
}
