import type { Router } from 'express';
import { checkCsrf } from '../../auth/sessions.ts';
import { AppError } from '../../../errors.ts';
import { decodeCalendarFile, formatOf, MAX_FILE_BYTES } from '../../../calendars/calendar-file.ts';
import type { SchoolCalendarView } from '../../../calendars/school-calendars.ts';
import type { ImportOutcome } from '../../../calendars/calendar-edits.ts';
import { DAY_KINDS, KIND_NAMES, schoolYearName, schoolYearOf, type CalendarEntry } from '../../../domain/school-calendar.ts';
import { page, type Page, type PageDeps } from '../page-context.ts';
import { readFormUpload } from '../form-upload.ts';

const tooLarge = () => new AppError(413, 'file_too_large', `The file is larger than ${MAX_FILE_BYTES / 1024} KB, more than any calendar of term dates: is it the right file?`);

type CalendarAnswer = SchoolCalendarView & { mayEdit: boolean };
type ImportAnswer = ImportOutcome;

interface Notice {
  kind: 'success' | 'problem' | 'conflict';
  title: string;
  message?: string;
  problems?: string[];
}

/** The choices of the add form, days first: what a school adds most is an INSET day. */
const KIND_CHOICES = [...DAY_KINDS, 'term' as const].map((kind) => ({
  value: kind,
  label: { inset: 'INSET day', closure: 'Closure (for example snow, a polling day)', holiday: 'Holiday (for example half term)', 'bank-holiday': 'Bank holiday', term: 'Term (its first and last day)' }[kind],
}));

const DONE: Record<string, string> = {
  added: 'Added to the calendar. Deadlines counted in school days now allow for it.',
  removed: 'Removed from the calendar. Deadlines counted in school days now allow for that.',
  imported: 'The import is saved. Deadlines counted in school days now allow for it.',
  unchanged: 'Nothing to change: the calendar already holds everything in the file.',
};

const problemsOf = (error: AppError) => ((error.details as { problems?: { field: string; message: string }[] } | undefined)?.problems ?? []).map((p) => (p.field ? `${p.field}: ${p.message}` : p.message));
const noticeOf = (error: AppError): Notice => ({
  kind: error.status === 409 ? 'conflict' : 'problem',
  title: error.status === 409 ? 'The calendar changed meanwhile' : 'There is a problem',
  message: error.message,
  problems: problemsOf(error).slice(0, 20),
});

/** The terms by school year, newest first: what a person looks for is this year and next. */
function byYear(view: SchoolCalendarView) {
  const years = new Map<number, SchoolCalendarView['terms']>();
  for (const term of view.terms) years.set(schoolYearOf(term.start), [...(years.get(schoolYearOf(term.start)) ?? []), term]);
  return [...years].sort(([a], [b]) => b - a).map(([year, terms]) => ({ name: schoolYearName(year), terms }));
}

const rows = (entries: CalendarEntry[]) => entries.map((e) => ({ ...e, kindName: KIND_NAMES[e.kind] }));

async function renderCalendar({ api, render, req }: Page, schoolId: string, notice: Notice | null, status = 200) {
  const view = await api<CalendarAnswer>('get', '/api/schools/:id/calendar', { params: { id: schoolId } });
  await render(
    'calendar.njk',
    {
      title: `${view.school.name}: term dates and closures`,
      view,
      years: byYear(view),
      days: rows(view.entries.filter((e) => e.kind !== 'term')),
      kinds: KIND_CHOICES,
      notice,
      form: req.method === 'POST' && req.path.endsWith('/entries') ? req.body : {},
    },
    status,
  );
}

export function calendarPages(router: Router, deps: PageDeps): void {
  router.get(
    '/schools/:id/calendar',
    page(deps, async (current) => {
      const key = String(current.req.query.done ?? '');
      const done = Object.hasOwn(DONE, key) ? DONE[key] : undefined;
      await renderCalendar(current, String(current.req.params.id), done ? { kind: 'success', title: done } : null);
    }),
  );

  router.post(
    '/schools/:id/calendar/entries',
    page(deps, async (current) => {
      const { req, res, signedIn, api } = current;
      checkCsrf(req, signedIn.session);
      const id = String(req.params.id);
      const form = req.body as Record<string, string>;
      try {
        await api('post', '/api/schools/:id/calendar/entries', { params: { id }, body: { kind: form.kind, start: form.start, ...(form.end ? { end: form.end } : {}), description: form.description ?? '' } });
      } catch (error) {
        if (!(error instanceof AppError) || error.status === 404 || error.status === 403) throw error;
        return renderCalendar(current, id, noticeOf(error), error.status);
      }
      res.redirect(303, `/schools/${encodeURIComponent(id)}/calendar?done=added`);
    }),
  );

  router.post(
    '/schools/:id/calendar/remove',
    page(deps, async (current) => {
      const { req, res, signedIn, api } = current;
      checkCsrf(req, signedIn.session);
      const id = String(req.params.id);
      const form = req.body as Record<string, string>;
      try {
        await api('post', '/api/schools/:id/calendar/entries/remove', { params: { id }, body: { kind: form.kind, start: form.start, end: form.end } });
      } catch (error) {
        if (!(error instanceof AppError) || error.status === 403) throw error;
        return renderCalendar(current, id, noticeOf(error), error.status);
      }
      res.redirect(303, `/schools/${encodeURIComponent(id)}/calendar?done=removed`);
    }),
  );

  // An import is read and shown before anything is saved; the preview's form sends the same file back to save it.
  router.post(
    '/schools/:id/calendar/import',
    page(deps, async (current) => {
      const { req, signedIn, api, render } = current;
      const id = String(req.params.id);
      const upload = await readFormUpload(req, MAX_FILE_BYTES, tooLarge);
      req.body = upload.fields;
      checkCsrf(req, signedIn.session);
      let content: string;
      let preview: ImportAnswer;
      try {
        if (!upload.file) throw new AppError(400, 'bad_request', 'Choose a file to import: a CSV file or an iCalendar (.ics) file.');
        content = decodeCalendarFile(upload.file.bytes);
        preview = await api<ImportAnswer>('post', '/api/schools/:id/calendar/import', { params: { id }, body: { content, format: formatOf(upload.file.name, content), save: false } });
      } catch (error) {
        if (!(error instanceof AppError) || error.status === 404 || error.status === 403) throw error;
        return renderCalendar(current, id, noticeOf(error), error.status);
      }
      const view = await api<CalendarAnswer>('get', '/api/schools/:id/calendar', { params: { id } });
      await render('calendar-import.njk', {
        title: `${view.school.name}: import ${upload.file.name || 'a calendar file'}`,
        view,
        fileName: upload.file.name,
        content,
        preview: { ...preview, added: rows(preview.added), removed: rows(preview.removed), unchanged: rows(preview.unchanged) },
        changes: preview.added.length + preview.removed.length,
      });
    }),
  );

  router.post(
    '/schools/:id/calendar/import/save',
    page(deps, async (current) => {
      const { req, res, signedIn, api } = current;
      const id = String(req.params.id);
      const upload = await readFormUpload(req, MAX_FILE_BYTES, tooLarge);
      req.body = upload.fields;
      checkCsrf(req, signedIn.session);
      const { content = '', fileName = '', revision = '' } = upload.fields;
      let saved: ImportAnswer;
      try {
        if (!/^\d{1,9}$/.test(revision)) throw new AppError(400, 'bad_request', 'The form is incomplete: import the file again.');
        saved = await api<ImportAnswer>('post', '/api/schools/:id/calendar/import', { params: { id }, body: { content, format: formatOf(fileName, content), save: true, revision: Number(revision) } });
      } catch (error) {
        if (!(error instanceof AppError) || error.status === 404 || error.status === 403) throw error;
        return renderCalendar(current, id, noticeOf(error), error.status);
      }
      res.redirect(303, `/schools/${encodeURIComponent(id)}/calendar?done=${saved.saved ? 'imported' : 'unchanged'}`);
    }),
  );
}
