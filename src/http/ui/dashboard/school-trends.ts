import { addDays, mondayOf } from '../../../domain/dates.ts';
import { weekAttendance } from '../../../domain/register-weeks.ts';
import type { IsoDate } from '../../../domain/types.ts';
import type { SchoolContext } from '../../../register/school-metrics.ts';
import type { Store } from '../../../store/types.ts';

export interface TrendPoint {
  asOf: IsoDate;
  pupils: number;
  /** Mean of the pupils' year-to-date attendance. */
  attendancePct: number | null;
  persistentPct: number;
  severePct: number;
}

/**
 * The school's year-to-date attendance and persistent and severe absence rates at the end of
 * each school week, from one pass over its register kept as weeks (their counts, and the marks of a
 * week a point falls inside), counted as the evaluator's metrics count them.
 */
export async function schoolTrends(store: Store, context: SchoolContext, today: IsoDate): Promise<TrendPoint[]> {
  const from = context.calendar.academicYearStart(today);
  const weekEnds: IsoDate[] = [];
  for (let monday = context.calendar.schoolWeekStart(from); monday <= today; monday = addDays(monday, 7)) {
    const end = addDays(monday, 4) < today ? addDays(monday, 4) : today;
    if (context.calendar.countSchoolDays(monday < from ? from : monday, end) > 0) weekEnds.push(end);
  }
  const sums = weekEnds.map(() => ({ pupils: 0, pct: 0, counted: 0, persistent: 0, severe: 0 }));
  // Each pupil's packed weeks, read once: a week wholly before a point counts whole (from its
  // counts), the point's own week up to the point's day; attendance as computeMetrics gives it.
  const mondays = weekEnds.map(mondayOf);
  for await (const { weeks } of store.streamSchoolWeeks(context.school.id, { from, to: today })) {
    let attended = 0;
    let possible = 0;
    let next = 0;
    weekEnds.forEach((asOf, index) => {
      const monday = mondays[index]!;
      for (; next < weeks.length && weeks[next]!.week < monday; next++) {
        // Every day of an earlier week is before the point.
        const whole = weekAttendance(weeks[next]!, from, asOf);
        attended += whole.attended;
        possible += whole.possible;
      }
      const own = next < weeks.length && weeks[next]!.week === monday ? weekAttendance(weeks[next]!, from, asOf) : { attended: 0, possible: 0 };
      const a = attended + own.attended;
      const p = possible + own.possible;
      const sum = sums[index]!;
      sum.pupils += 1;
      if (p > 0) {
        sum.pct += (a * 100) / p;
        sum.counted += 1;
      }
      // Compared in whole numbers, as computeMetrics does.
      if (p > 0 && a * 100 <= p * 90) sum.persistent += 1;
      if (p > 0 && a * 100 <= p * 50) sum.severe += 1;
    });
  }
  return weekEnds.map((asOf, index) => {
    const sum = sums[index]!;
    return {
      asOf,
      pupils: sum.pupils,
      attendancePct: sum.counted ? sum.pct / sum.counted : null,
      persistentPct: sum.pupils ? (100 * sum.persistent) / sum.pupils : 0,
      severePct: sum.pupils ? (100 * sum.severe) / sum.pupils : 0,
    };
  });
}
