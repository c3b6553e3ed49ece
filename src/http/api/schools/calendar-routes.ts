import { z } from 'zod';
import { requireRole, requireWholeSchool, type Access } from '../../../access/scope.ts';
import { CALENDAR_EDIT_ROLES } from '../../../access/roles.ts';
import { formatOf, FILE_FORMATS, MAX_FILE_BYTES } from '../../../calendars/calendar-file.ts';
import { addCalendarEntry, importCalendarFile, removeCalendarEntry } from '../../../calendars/calendar-edits.ts';
import { viewSchoolCalendar } from '../../../calendars/school-calendars.ts';
import { calendarEntrySchema, ENTRY_KINDS, MAX_DESCRIPTION, type CalendarEntry } from '../../../domain/school-calendar.ts';
import { AppError } from '../../../errors.ts';
import type { School } from '../../../store/types.ts';
import { route, type AnyRoute } from '../route.ts';
import type { ApiDeps } from '../deps.ts';

const schoolParams = z.object({ id: z.string().min(1).max(100) });
const date = z.string().trim().max(10).describe('YYYY-MM-DD');

const entryBody = z.object({
  kind: z.enum(ENTRY_KINDS).describe('term: the school’s own term (its first and last day); inset, closure, holiday, bank-holiday: days it is closed'),
  start: date.describe('the first day, YYYY-MM-DD'),
  end: date.optional().describe('the last day, YYYY-MM-DD; leave out for one day'),
  description: z.string().trim().max(MAX_DESCRIPTION).default('').describe('what it is: “Training day”, “Polling day”, “Autumn term”'),
});

const removeBody = z.object({ kind: z.enum(ENTRY_KINDS), start: date, end: date });

const importBody = z.object({
  content: z.string().min(1).max(MAX_FILE_BYTES).describe('the file’s text: CSV (date,end_date,kind,description) or iCalendar (.ics)'),
  format: z.enum(FILE_FORMATS).optional().describe('read from fileName or the content when left out'),
  fileName: z.string().max(255).optional(),
  save: z.boolean().default(false).describe('false: only say what the import would change; true: save it'),
  revision: z.number().int().min(0).optional().describe('with save: the revision the preview was made from; a calendar changed since is not overwritten'),
});

/** The school, if the caller may see it whole: its calendar shapes every deadline of its pupils. */
async function schoolFor(deps: ApiDeps, access: Access, id: string): Promise<School> {
  requireWholeSchool(access, id);
  const school = await deps.store.getSchool(id);
  if (!school) throw new AppError(404, 'not_found', `no school '${id}'`);
  return school;
}

/** Term dates and closures move every school-day deadline: the senior attendance champion (or an admin) sets them. */
function requireEditor(access: Access): void {
  requireRole(access, CALENDAR_EDIT_ROLES);
}

function checkedEntry(body: z.output<typeof entryBody>): CalendarEntry {
  const parsed = calendarEntrySchema.safeParse({ ...body, end: body.end || body.start });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => ({ in: 'body', field: issue.path.join('.'), message: issue.message }));
    throw new AppError(400, 'invalid_request', 'the request is not valid: see details', { problems });
  }
  return parsed.data;
}

export function calendarRoutes(deps: ApiDeps): AnyRoute[] {
  const { store } = deps;
  return [
    route({
      method: 'get',
      path: '/api/schools/:id/calendar',
      tag: 'calendars',
      summary: 'The school’s calendar: its terms (its LA’s, or its own), and its own INSET days, closures and holidays',
      params: schoolParams,
      responses: { 200: 'the calendar', 404: 'no school you can see whole' },
      async handle({ params, caller }) {
        const access = await caller().access();
        const school = await schoolFor(deps, access, params.id);
        return { ...(await viewSchoolCalendar(store, school)), mayEdit: CALENDAR_EDIT_ROLES.includes(access.user.role) };
      },
    }),
    route({
      method: 'post',
      path: '/api/schools/:id/calendar/entries',
      tag: 'calendars',
      summary: 'Add a term, INSET day, closure, holiday or bank holiday (one day or a range) to the school’s calendar',
      params: schoolParams,
      body: entryBody,
      responses: { 200: 'the calendar as saved', 403: 'only the senior attendance champion or an admin changes the calendar', 404: 'no school you can see whole', 422: 'the calendar would not be usable (e.g. an INSET day outside term time): nothing saved' },
      async handle({ params, body, caller }) {
        const me = caller();
        const access = await me.access();
        const school = await schoolFor(deps, access, params.id);
        requireEditor(access);
        const entry = checkedEntry(body);
        const saved = await addCalendarEntry(store, school, entry, { by: me.user.id, at: deps.clock.now() });
        await me.audit('school.calendar.add', { schoolId: school.id }, { kind: entry.kind, start: entry.start, end: entry.end, revision: saved.revision });
        return { ...(await viewSchoolCalendar(store, school)), mayEdit: true };
      },
    }),
    route({
      method: 'post',
      path: '/api/schools/:id/calendar/entries/remove',
      tag: 'calendars',
      summary: 'Remove one of the school’s own calendar entries (named by kind, first and last day)',
      params: schoolParams,
      body: removeBody,
      responses: { 200: 'the calendar as saved', 403: 'only the senior attendance champion or an admin changes the calendar', 404: 'no school you can see whole, or no such entry', 422: 'the calendar would not be usable without it (a term with INSET days inside): nothing saved' },
      async handle({ params, body, caller }) {
        const me = caller();
        const access = await me.access();
        const school = await schoolFor(deps, access, params.id);
        requireEditor(access);
        const saved = await removeCalendarEntry(store, school, body, { by: me.user.id, at: deps.clock.now() });
        await me.audit('school.calendar.remove', { schoolId: school.id }, { kind: body.kind, start: body.start, end: body.end, revision: saved.revision });
        return { ...(await viewSchoolCalendar(store, school)), mayEdit: true };
      },
    }),
    route({
      method: 'post',
      path: '/api/schools/:id/calendar/import',
      tag: 'calendars',
      summary: 'Import a CSV or iCalendar (.ics) file of term dates and closures: a preview of what would change, or (save: true) saved',
      params: schoolParams,
      body: importBody,
      bodyLimit: '1mb',
      responses: {
        200: 'what the import changes (saved: whether it was saved)',
        403: 'only the senior attendance champion or an admin changes the calendar',
        404: 'no school you can see whole',
        409: 'the calendar changed since the preview: preview again',
        413: 'the file is larger than 512 KB',
        422: 'the file cannot be read, or the calendar it leaves would not be usable: nothing saved',
      },
      async handle({ params, body, caller }) {
        const me = caller();
        const access = await me.access();
        const school = await schoolFor(deps, access, params.id);
        requireEditor(access);
        if (body.save && body.revision === undefined) throw new AppError(400, 'invalid_request', 'saving an import needs the revision its preview was made from', { problems: [{ in: 'body', field: 'revision', message: 'required with save' }] });
        const format = body.format ?? formatOf(body.fileName ?? null, body.content);
        const outcome = await importCalendarFile(store, school, { content: body.content, format }, { save: body.save, revision: body.revision, by: me.user.id, at: deps.clock.now() });
        if (outcome.saved) await me.audit('school.calendar.import', { schoolId: school.id }, { format, added: outcome.added.length, removed: outcome.removed.length, revision: outcome.revision });
        return outcome;
      },
    }),
  ];
}
