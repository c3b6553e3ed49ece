// The changes a person makes to a school's calendar, the same from a page, the API and the CLI.
import { entryName, type CalendarEntry } from '../domain/school-calendar.ts';
import { AppError } from '../errors.ts';
import type { School, Store, StoredSchoolCalendar } from '../store/types.ts';
import { parseCalendarFile, type CalendarFileFormat } from './calendar-file.ts';
import { planImport, type ImportPlan } from './import-plan.ts';
import { builtInFor, calendarChanged, changeSchoolCalendar, saveSchoolCalendar } from './school-calendars.ts';
import { longDate } from '../domain/words.ts';

type SchoolRef = Pick<School, 'id' | 'name' | 'localAuthority'>;
type Meta = { by: string; at: Date };

const same = (a: Pick<CalendarEntry, 'kind' | 'start' | 'end'>, b: Pick<CalendarEntry, 'kind' | 'start' | 'end'>) => a.kind === b.kind && a.start === b.start && a.end === b.end;

export function addCalendarEntry(store: Store, school: SchoolRef, entry: CalendarEntry, meta: Meta): Promise<StoredSchoolCalendar> {
  return changeSchoolCalendar(
    store,
    school,
    (entries) => {
      if (entries.some((e) => same(e, entry))) throw new AppError(422, 'already_entered', `${entryName(entry)} from ${longDate(entry.start)} to ${longDate(entry.end)} is in the calendar already.`);
      return [...entries, entry];
    },
    meta,
  );
}

export function removeCalendarEntry(store: Store, school: SchoolRef, entry: Pick<CalendarEntry, 'kind' | 'start' | 'end'>, meta: Meta): Promise<StoredSchoolCalendar> {
  return changeSchoolCalendar(
    store,
    school,
    (entries) => {
      if (!entries.some((e) => same(e, entry))) throw new AppError(404, 'not_found', `the calendar has no ${entry.kind} from ${longDate(entry.start)} to ${longDate(entry.end)}`);
      return entries.filter((e) => !same(e, entry));
    },
    meta,
  );
}

export type ImportOutcome = Pick<ImportPlan, 'added' | 'removed' | 'unchanged' | 'notes' | 'problems'> & {
  format: CalendarFileFormat;
  /** The calendar's revision: the one previewed, or the one saved. */
  revision: number;
  saved: boolean;
};

/**
 * Reads a file and works out what it changes; with `save`, saves that if the calendar is still at
 * `revision` (what the person previewed; undefined for the CLI, which previews and saves at once).
 */
export async function importCalendarFile(
  store: Store,
  school: SchoolRef,
  file: { content: string; format: CalendarFileFormat },
  options: Meta & { save: boolean; revision?: number },
): Promise<ImportOutcome> {
  const parsed = parseCalendarFile(file.format, file.content);
  const current = await store.getSchoolCalendar(school.id);
  if (options.save && options.revision !== undefined && options.revision !== current.revision) throw calendarChanged();
  const plan = planImport(builtInFor(school.localAuthority)?.spec ?? null, current.entries, parsed);
  const outcome = { format: file.format, added: plan.added, removed: plan.removed, unchanged: plan.unchanged, notes: plan.notes, problems: plan.problems, revision: current.revision, saved: false };
  if (!options.save || (plan.added.length === 0 && plan.removed.length === 0)) return outcome;
  const saved = await saveSchoolCalendar(store, school, plan.entries, { expectedRevision: current.revision, by: options.by, at: options.at });
  return { ...outcome, revision: saved.revision, saved: true };
}
