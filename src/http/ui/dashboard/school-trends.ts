import { addDays } from '../../../domain/dates.ts';
import { computeMetrics } from '../../../domain/metrics.ts';
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
 * each school week, from one pass over its register and the same metrics the evaluator uses.
 */
export async function schoolTrends(store: Store, context: SchoolContext, today: IsoDate): Promise<TrendPoint[]> {
  const from = context.calendar.academicYearStart(today);
  const weekEnds: IsoDate[] = [];
  for (let monday = context.calendar.schoolWeekStart(from); monday <= today; monday = addDays(monday, 7)) {
    const end = addDays(monday, 4) < today ? addDays(monday, 4) : today;
    if (context.calendar.countSchoolDays(monday < from ? from : monday, end) > 0) weekEnds.push(end);
  }
  const sums = weekEnds.map(() => ({ pupils: 0, pct: 0, counted: 0, persistent: 0, severe: 0 }));
  for await (const { marks } of store.streamSchoolMarks(context.school.id, { from, to: today })) {
    weekEnds.forEach((asOf, index) => {
      const metrics = computeMetrics({ marks, calendar: context.calendar, asOf, from });
      const sum = sums[index]!;
      sum.pupils += 1;
      if (metrics.attendancePct !== null) {
        sum.pct += metrics.attendancePct;
        sum.counted += 1;
      }
      if (metrics.persistentAbsence) sum.persistent += 1;
      if (metrics.severeAbsence) sum.severe += 1;
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
