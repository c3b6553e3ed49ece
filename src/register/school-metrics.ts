import { computeMetrics } from '../domain/metrics.ts';
import type { IsoDate, PupilMetrics } from '../domain/types.ts';
import type { SchoolCalendar } from '../domain/calendar.ts';
import { AppError } from '../errors.ts';
import type { School, Store } from '../store/types.ts';
import { getWorkflow } from '../../workflows/index.ts';
import { calendarForSchool } from '../calendars/school-calendars.ts';

export interface SchoolContext {
  school: School;
  calendar: SchoolCalendar;
  bands: { name: string; minPct: number }[];
}

/** The school with its own calendar and the RAG bands its workflow gives it. */
export async function schoolContext(store: Store, schoolId: string): Promise<SchoolContext> {
  const school = await store.getSchool(schoolId);
  if (!school) throw new AppError(404, 'not_found', `no school '${schoolId}'`);
  const workflow = getWorkflow(school.workflowId);
  return { school, calendar: await calendarForSchool(store, school), bands: workflow.policy.bands };
}

/** Every pupil's metrics as of a date (year to date), streamed pupil by pupil. */
export async function* schoolMetrics(store: Store, context: SchoolContext, asOf: IsoDate): AsyncGenerator<{ upn: string; metrics: PupilMetrics }> {
  const from = context.calendar.academicYearStart(asOf);
  // The rolling 10-week window can reach back before the academic year.
  const earliest = context.calendar.rollingWindowStart(asOf, 10);
  for await (const { upn, marks } of store.streamSchoolMarks(context.school.id, { from: earliest < from ? earliest : from, to: asOf })) {
    yield { upn, metrics: computeMetrics({ marks, calendar: context.calendar, asOf, from, bands: context.bands }) };
  }
}
