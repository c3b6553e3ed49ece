import type { SchoolCalendar } from '../../../domain/calendar.ts';
import { codeCategory, findCode } from '../../../domain/codes.ts';
import { addDays } from '../../../domain/dates.ts';
import { computeMetrics } from '../../../domain/metrics.ts';
import type { CodeCategory, IsoDate, Mark } from '../../../domain/types.ts';

export interface WeekOfAttendance {
  monday: IsoDate;
  /** Attendance within the week; null for a week without a possible session. */
  weekPct: number | null;
  /** Year to date at the end of the week. */
  yearPct: number | null;
  /** Mon AM … Fri PM: the mark of each session, or null for no school that session. */
  sessions: ({ code: string; category: CodeCategory; meaning: string } | { code: null; closed: boolean })[];
}

/** One pupil's school weeks from `from` to `asOf`: the weekly and year-to-date attendance the metrics give, and each session's mark. */
export function attendanceWeeks(marks: readonly Mark[], calendar: SchoolCalendar, from: IsoDate, asOf: IsoDate): WeekOfAttendance[] {
  const bySession = new Map(marks.map((mark) => [`${mark.date} ${mark.session}`, mark.code]));
  const weeks: WeekOfAttendance[] = [];
  for (let monday = calendar.schoolWeekStart(from); monday <= asOf; monday = addDays(monday, 7)) {
    const end = addDays(monday, 4) < asOf ? addDays(monday, 4) : asOf;
    const days = [0, 1, 2, 3, 4].map((offset) => addDays(monday, offset));
    if (!days.some((day) => day <= asOf && calendar.isSchoolDay(day))) continue;
    const inWeek = marks.filter((mark) => mark.date >= monday && mark.date <= end);
    weeks.push({
      monday,
      weekPct: computeMetrics({ marks: inWeek, calendar, asOf: end, from: monday < from ? from : monday }).attendancePct,
      yearPct: computeMetrics({ marks, calendar, asOf: end, from }).attendancePct,
      sessions: days.flatMap((day) =>
        (['AM', 'PM'] as const).map((session) => {
          const code = day <= asOf ? bySession.get(`${day} ${session}`) : undefined;
          if (code === undefined) return { code: null, closed: !calendar.isSchoolDay(day) };
          return { code, category: codeCategory(code), meaning: findCode(code)?.meaning ?? code };
        }),
      ),
    });
  }
  return weeks;
}
