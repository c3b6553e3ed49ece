// A school's attendance figures on the dashboard (the weekly trends and the comparison with its
// splits) come from every pupil's year of register: the dearest part of the page by far, and the
// same for everyone who sees that school whole. They are kept briefly per school, as the work
// queue keeps its total: this process's register and roll writes drop them at once (and a new
// calendar, or a new day, is a new key); another process's writes show within FIGURES_KEPT_MS,
// or at most FIGURES_STALE_MS while the figures are worked out again in the background.
import type { IsoDate } from '../../../domain/types.ts';
import type { SchoolContext } from '../../../register/school-metrics.ts';
import { registerWrites } from '../../../register/register-changes.ts';
import type { SchoolCalendar } from '../../../domain/calendar.ts';
import type { Store } from '../../../store/types.ts';
import { compareSchool, type SchoolComparison } from './school-comparison.ts';
import { schoolTrends, type TrendPoint } from './school-trends.ts';

/** How long kept figures are given without a second look. */
export const FIGURES_KEPT_MS = 2_000;
/** How old kept figures may be at most: between the two, they are given while new ones are worked out. */
export const FIGURES_STALE_MS = 4_000;

export interface SchoolFigures {
  points: TrendPoint[];
  comparison: SchoolComparison;
}

interface Kept {
  /** The day, and this process's register writes to the school, they were worked out for. */
  key: string;
  calendar: SchoolCalendar;
  at: number;
  figures: Promise<SchoolFigures>;
  refreshing: boolean;
}

// Per store, as calendars are held (two stores in one process never share a school), then by school.
const keptByStore = new WeakMap<Store, Map<string, Kept>>();

function work(store: Store, context: SchoolContext, today: IsoDate, key: string, held: Map<string, Kept>): Kept {
  const entry: Kept = {
    key,
    calendar: context.calendar,
    at: performance.now(),
    figures: Promise.all([schoolTrends(store, context, today), compareSchool(store, context, today)]).then(([points, comparison]) => ({ points, comparison })),
    refreshing: false,
  };
  // A failure is not kept: the next request tries again.
  entry.figures.catch(() => {
    if (held.get(context.school.id) === entry) held.delete(context.school.id);
  });
  return entry;
}

/**
 * The school's trends and comparison as of today. Only for a school the person sees whole (the
 * figures are the whole school's, the same for everyone who may see them).
 */
export async function schoolFigures(store: Store, context: SchoolContext, today: IsoDate): Promise<SchoolFigures> {
  let held = keptByStore.get(store);
  if (!held) keptByStore.set(store, (held = new Map()));
  const id = context.school.id;
  const key = `${today} ${registerWrites(store, id)}`;
  const kept = held.get(id);
  const age = kept ? performance.now() - kept.at : Infinity;
  if (kept && kept.key === key && kept.calendar === context.calendar && age < FIGURES_STALE_MS) {
    if (age >= FIGURES_KEPT_MS && !kept.refreshing) {
      // Given as they are this once; the next request after the new ones are ready gets those.
      kept.refreshing = true;
      const next = work(store, context, today, key, held);
      next.figures.then(
        () => held.get(id) === kept && held.set(id, next),
        () => (kept.refreshing = false),
      );
    }
    return kept.figures;
  }
  const fresh = work(store, context, today, key, held);
  held.set(id, fresh);
  return fresh.figures;
}
