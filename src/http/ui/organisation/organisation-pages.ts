import type { Request, Router } from 'express';
import { checkCsrf } from '../../auth/sessions.ts';
import { AppError } from '../../../errors.ts';
import { localAuthorityName } from '../../../domain/local-authority.ts';
import { MAILBOX_LABELS } from '../../../organisation/organisation-input.ts';
import { SCHOOL_PHASES, type School, type SchoolMailboxes, type Trust } from '../../../store/types.ts';
import { CALENDAR_NAMES, builtInCalendarId } from '../../../../workflows/calendars/index.ts';
import { page, type Page, type PageDeps } from '../page-context.ts';

type SchoolRow = School & { warnings: string[] };
type TrustsAnswer = { trusts: (Trust & { schools: SchoolRow[] })[]; workflows: { id: string; name: string }[] };
type SchoolAnswer = { school: School; trust: Trust; warnings: string[]; workflows: { id: string; name: string }[] };

const MAILBOXES = Object.keys(MAILBOX_LABELS) as (keyof SchoolMailboxes)[];
const PHASE_NAMES: Record<(typeof SCHOOL_PHASES)[number], string> = {
  nursery: 'Nursery',
  primary: 'Primary',
  middle: 'Middle',
  secondary: 'Secondary',
  'all-through': 'All-through',
  special: 'Special school',
  alternative: 'Alternative provision / PRU',
  'post-16': 'Post-16',
};
const DONE: Record<string, string> = {
  'trust-added': 'The trust is added. Add its schools next.',
  'trust-renamed': 'The trust’s name is changed.',
  'trust-archived': 'The trust is archived.',
  'trust-restored': 'The trust is restored.',
  created: 'The school is set up. Next: check its term dates, invite its staff, and load its register.',
  saved: 'The school’s details are saved.',
  archived: 'The school is archived: its cases stay on record, and it is no longer evaluated.',
  restored: 'The school is restored: it is evaluated again from tonight.',
};

/** The local authority as the form shows it: the held calendar's name, or the id read back as words. */
const laName = (id: string) => {
  const builtIn = builtInCalendarId(id);
  return builtIn ? CALENDAR_NAMES[builtIn] : localAuthorityName(id);
};

const doneNotice = (req: Request) => {
  const key = String(req.query.done ?? '');
  return Object.hasOwn(DONE, key) ? { kind: 'success', title: DONE[key] } : null;
};

/** A form's problems as the page lists them, each under the words of its field. */
const FIELD_NAMES: Record<string, string> = {
  name: 'Name',
  urn: 'URN',
  laEstab: 'DfE number',
  phase: 'Phase',
  localAuthority: 'Local authority',
  workflowId: 'Attendance policy',
  'mailboxes.office': 'School office',
  'mailboxes.ewo': 'EWO or attendance service',
  'mailboxes.la': 'Local authority attendance team',
  'mailboxes.homeSchool': 'Home school',
};
function problemNotice(error: AppError) {
  const problems = (error.details as { problems?: { field: string; message: string }[] } | undefined)?.problems ?? [];
  return {
    kind: error.status === 409 ? 'conflict' : 'problem',
    title: 'There is a problem',
    message: problems.length ? undefined : `${error.message.charAt(0).toUpperCase()}${error.message.slice(1)}.`,
    problems: problems.map((p) => `${FIELD_NAMES[p.field] ?? p.field}: ${p.message}`),
  };
}

/** The school form's fields, as the API takes them. */
function schoolBody(form: Record<string, string | undefined>) {
  return {
    name: form.name ?? '',
    urn: form.urn ?? '',
    laEstab: form.laEstab ?? '',
    phase: form.phase ?? '',
    localAuthority: form.localAuthority ?? '',
    workflowId: form.workflowId ?? '',
    mailboxes: Object.fromEntries(MAILBOXES.map((key) => [key, form[`mailbox_${key}`] ?? ''])),
  };
}

/** A stored school as the form's fields. */
const schoolForm = (school: School): Record<string, string> => ({
  name: school.name,
  urn: school.urn ?? '',
  laEstab: school.laEstab ? `${school.laEstab.slice(0, 3)}/${school.laEstab.slice(3)}` : '',
  phase: school.phase ?? '',
  localAuthority: laName(school.localAuthority),
  workflowId: school.workflowId,
  ...Object.fromEntries(MAILBOXES.map((key) => [`mailbox_${key}`, school.notifyEmails?.[key] ?? ''])),
});

const formData = (workflows: { id: string; name: string }[]) => ({
  phases: SCHOOL_PHASES.map((value) => ({ value, label: PHASE_NAMES[value] })),
  mailboxes: MAILBOXES.map((key) => ({ key, label: MAILBOX_LABELS[key] })),
  localAuthorities: Object.values(CALENDAR_NAMES),
  workflows,
});

async function renderOrganisation(current: Page, notice: unknown, status = 200, trustForm: Record<string, string> = {}) {
  const answer = await current.api<TrustsAnswer>('get', '/api/trusts');
  await current.render(
    'organisation.njk',
    {
      title: 'Trusts and schools',
      trusts: answer.trusts.map((trust) => ({ ...trust, schools: trust.schools.map((school) => ({ ...school, laName: laName(school.localAuthority), workflowName: answer.workflows.find((w) => w.id === school.workflowId)?.name ?? school.workflowId })) })),
      mayAddTrust: current.signedIn.user.role === 'admin',
      notice,
      trustForm,
    },
    status,
  );
}

async function renderSchoolForm(current: Page, view: { trust: Trust; school: School | null; warnings: string[]; workflows: { id: string; name: string }[] }, form: Record<string, string>, notice: unknown, status = 200) {
  await current.render(
    'school-setup.njk',
    {
      title: view.school ? `${view.school.name}: set-up` : `Add a school to ${view.trust.name}`,
      ...view,
      ...formData(view.workflows),
      form,
      notice,
    },
    status,
  );
}

type Form = Record<string, string>;

/**
 * A form post of these pages: the CSRF token checked, then `act`; what the API refuses in what was
 * typed (a 400, 409 or 422) is shown on the form again by `again`, keeping the typing. A 403 or
 * 404 is the error page, as anywhere.
 */
function formPost(deps: PageDeps, act: (current: Page, form: Form, id: string) => Promise<void>, again: (current: Page, form: Form, id: string, error: AppError) => Promise<void>) {
  return page(deps, async (current) => {
    checkCsrf(current.req, current.signedIn.session);
    const form = current.req.body as Form;
    const id = String(current.req.params.id ?? '');
    try {
      await act(current, form, id);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500 || error.status === 403 || error.status === 404) throw error;
      await again(current, form, id, error);
    }
  });
}

export function organisationPages(router: Router, deps: PageDeps): void {
  router.get('/organisation', page(deps, (current) => renderOrganisation(current, doneNotice(current.req))));

  router.post(
    '/organisation/trusts',
    formPost(
      deps,
      async (current, form) => {
        await current.api('post', '/api/trusts', { body: { name: form.name ?? '' } });
        current.res.redirect(303, '/organisation?done=trust-added');
      },
      (current, form, _id, error) => renderOrganisation(current, problemNotice(error), error.status, form),
    ),
  );

  router.post(
    '/organisation/trusts/:id',
    formPost(
      deps,
      async (current, form, id) => {
        const archiving = form.archived === 'true' || form.archived === 'false';
        if (archiving) await current.api('post', '/api/trusts/:id/archive', { params: { id }, body: { archived: form.archived === 'true' } });
        else await current.api('post', '/api/trusts/:id', { params: { id }, body: { name: form.name ?? '' } });
        current.res.redirect(303, `/organisation?done=${!archiving ? 'trust-renamed' : form.archived === 'true' ? 'trust-archived' : 'trust-restored'}`);
      },
      (current, _form, _id, error) => renderOrganisation(current, problemNotice(error), error.status),
    ),
  );

  router.get(
    '/organisation/trusts/:id/schools/new',
    page(deps, async (current) => {
      const answer = await current.api<TrustsAnswer>('get', '/api/trusts');
      const trust = answer.trusts.find((t) => t.id === current.req.params.id);
      if (!trust) throw new AppError(404, 'not_found', `no trust '${current.req.params.id}'`);
      await renderSchoolForm(current, { trust, school: null, warnings: [], workflows: answer.workflows }, {}, null);
    }),
  );

  router.post(
    '/organisation/trusts/:id/schools',
    formPost(
      deps,
      async (current, form, id) => {
        const created = await current.api<{ school: School }>('post', '/api/trusts/:id/schools', { params: { id }, body: schoolBody(form) });
        current.res.redirect(303, `/organisation/schools/${encodeURIComponent(created.school.id)}?done=created`);
      },
      async (current, form, id, error) => {
        const answer = await current.api<TrustsAnswer>('get', '/api/trusts');
        const trust = answer.trusts.find((t) => t.id === id)!;
        await renderSchoolForm(current, { trust, school: null, warnings: [], workflows: answer.workflows }, form, problemNotice(error), error.status);
      },
    ),
  );

  router.get(
    '/organisation/schools/:id',
    page(deps, async (current) => {
      const view = await current.api<SchoolAnswer>('get', '/api/schools/:id/setup', { params: { id: String(current.req.params.id) } });
      await renderSchoolForm(current, view, schoolForm(view.school), doneNotice(current.req));
    }),
  );

  router.post(
    '/organisation/schools/:id',
    formPost(
      deps,
      async (current, form, id) => {
        const there = `/organisation/schools/${encodeURIComponent(id)}`;
        if (form.archived === 'true' || form.archived === 'false') {
          await current.api('post', '/api/schools/:id/archive', { params: { id }, body: { archived: form.archived === 'true' } });
          return current.res.redirect(303, `${there}?done=${form.archived === 'true' ? 'archived' : 'restored'}`);
        }
        await current.api('post', '/api/schools/:id', { params: { id }, body: schoolBody(form) });
        current.res.redirect(303, `${there}?done=saved`);
      },
      async (current, form, id, error) => {
        const view = await current.api<SchoolAnswer>('get', '/api/schools/:id/setup', { params: { id } });
        await renderSchoolForm(current, view, form, problemNotice(error), error.status);
      },
    ),
  );
}
