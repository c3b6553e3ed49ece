// The Staff page: who can see what, invitations, links to choose a password, deactivation and
// moving a leaver's cases; and the public page a link from an email opens. Every change goes
// through the API's own routes, with their rules and audit.
import type { Request, Response, Router } from 'express';
import { ROLE_NAMES, ROLES, SETUP_ROLES } from '../../../access/roles.ts';
import { requireRole } from '../../../access/scope.ts';
import { TRUST_MANAGED_ROLES, manageVerdict } from '../../../access/staff-rules.ts';
import { LINK_REFUSALS } from '../../../access/staff-accounts.ts';
import { AppError } from '../../../errors.ts';
import { checkCsrf } from '../../auth/sessions.ts';
import { page, sendPage, type Page, type PageDeps } from '../page-context.ts';
import type { staffLine } from '../../api/staff/staff-routes.ts';

type StaffLine = ReturnType<typeof staffLine>;

interface Notice {
  kind: 'success' | 'problem';
  title: string;
  message?: string;
  problems?: string[];
}

const problemsOf = (error: AppError) => ((error.details as { problems?: { field: string; message: string }[] } | undefined)?.problems ?? []).map((p) => p.message);

const DONE: Record<string, string> = {
  invited: 'Invitation sent. The link in the email works for 7 days.',
  sso: 'Account created. They sign in with single sign-on: no email is sent, so tell them the service’s address.',
  link: 'Email sent with a link to choose a password.',
  deactivated: 'Account deactivated. Anyone signed in with it has been signed out.',
  reactivated: 'Account active again.',
  changed: 'Role changed. What they can see changes when they next open a page.',
  moved: 'Cases moved. Each case’s timeline says who took it over.',
};

const field = (body: Record<string, unknown>, name: string) => (typeof body[name] === 'string' && body[name] !== '' ? (body[name] as string) : undefined);

async function renderStaff(deps: PageDeps, current: Page, notice: Notice | null, status = 200) {
  const { req, api, render, signedIn } = current;
  requireRole(await current.access(), SETUP_ROLES);
  const filter = { school: typeof req.query.school === 'string' && req.query.school ? req.query.school : undefined, trust: typeof req.query.trust === 'string' && req.query.trust ? req.query.trust : undefined };
  const { staff } = await api<{ staff: StaffLine[] }>('get', '/api/staff', { query: filter });
  const me = signedIn.user;
  const allSchools = await deps.store.listSchools();
  const schools = allSchools.filter((school) => manageVerdict(me, { role: 'pastoral', schoolId: school.id, trustId: null, localAuthority: null }, allSchools) === 'yes');
  const trusts = (await deps.store.listTrusts()).filter((trust) => me.role === 'admin' || trust.id === me.trustId);
  const trustName = new Map(trusts.map((trust) => [trust.id, trust.name]));
  const openCases = new Map<string, number>();
  for (const line of staff) if (line.role === 'pastoral' || line.role === 'champion') openCases.set(line.id, (await deps.store.listCases({ assignedTo: line.id, status: 'open', limit: 0 })).total);
  const rows = staff.map((line) => ({
    ...line,
    where: line.schoolName ?? (line.trustId ? (trustName.get(line.trustId) ?? line.trustId) : line.localAuthority ? `${line.localAuthority} (local authority)` : 'Every school'),
    openCases: openCases.get(line.id) ?? 0,
    isMe: line.id === me.id,
  }));
  const roles = (me.role === 'admin' ? ROLES : TRUST_MANAGED_ROLES).map((role) => ({ value: role, label: ROLE_NAMES[role] }));
  await render(
    'staff.njk',
    {
      title: 'Staff accounts',
      rows,
      takers: rows.filter((row) => row.active && (row.role === 'pastoral' || row.role === 'champion')),
      roles,
      schools,
      trusts,
      filter,
      sso: deps.oidc !== null,
      notice,
      form: req.method === 'POST' && req.path === '/staff/invite' ? req.body : {},
    },
    status,
  );
}

/** Runs a change through the API; its refusal (a 4xx) is shown on the Staff page, as a notice. */
function staffChange(deps: PageDeps, change: (current: Page, body: Record<string, unknown>) => Promise<string>) {
  return page(deps, async (current) => {
    checkCsrf(current.req, current.signedIn.session);
    try {
      const done = await change(current, current.req.body as Record<string, unknown>);
      current.res.redirect(303, `/staff?done=${done}`);
    } catch (error) {
      if (!(error instanceof AppError) || (error.status >= 500 && error.code !== 'mail_failed') || error.status === 401) throw error;
      await renderStaff(deps, current, { kind: 'problem', title: 'There is a problem', message: error.message, problems: problemsOf(error) }, error.status);
    }
  });
}

export function staffPages(router: Router, deps: PageDeps): void {
  router.get(
    '/staff',
    page(deps, async (current) => {
      const key = String(current.req.query.done ?? '');
      await renderStaff(deps, current, Object.hasOwn(DONE, key) ? { kind: 'success', title: DONE[key]! } : null);
    }),
  );

  router.post(
    '/staff/invite',
    staffChange(deps, async ({ api }, body) => {
      const ssoOnly = body.ssoOnly === 'yes';
      await api('post', '/api/staff', {
        body: { name: body.name ?? '', email: body.email ?? '', role: body.role ?? '', schoolId: field(body, 'schoolId'), trustId: field(body, 'trustId'), localAuthority: field(body, 'localAuthority'), ssoOnly },
      });
      return ssoOnly ? 'sso' : 'invited';
    }),
  );

  const params = (req: Request) => ({ id: String(req.params.id) });
  router.post(
    '/staff/:id/password-link',
    staffChange(deps, async ({ api, req }) => {
      await api('post', '/api/staff/:id/password-link', { params: params(req) });
      return 'link';
    }),
  );
  router.post(
    '/staff/:id/deactivate',
    staffChange(deps, async ({ api, req }, body) => {
      await api('post', '/api/staff/:id/deactivate', { params: params(req), body: { takeover: field(body, 'takeover') } });
      return 'deactivated';
    }),
  );
  router.post(
    '/staff/:id/change',
    staffChange(deps, async ({ api, req }, body) => {
      // An EWO's local authority is kept unless the role changes away from it.
      await api('post', '/api/staff/:id', { params: params(req), body: { role: body.role ?? '', schoolId: field(body, 'schoolId'), trustId: field(body, 'trustId') } });
      return 'changed';
    }),
  );
  router.post(
    '/staff/:id/reactivate',
    staffChange(deps, async ({ api, req }) => {
      await api('post', '/api/staff/:id/reactivate', { params: params(req) });
      return 'reactivated';
    }),
  );
  router.post(
    '/staff/:id/move-cases',
    staffChange(deps, async ({ api, req }, body) => {
      await api('post', '/api/staff/:id/move-cases', { params: params(req), body: { to: body.to ?? '' } });
      return 'moved';
    }),
  );

  passwordLinkPages(router, deps);
}

/** The page a link from an email opens: choose a password, or be told plainly why the link no longer works. */
function passwordLinkPages(router: Router, deps: PageDeps): void {
  const show = (req: Request, res: Response, data: Record<string, unknown>, status = 200) =>
    sendPage(deps, req, res, null, 'set-password.njk', { title: 'Choose your password', token: String(req.params.token), ...data }, status);
  const refusal = (error: unknown) => {
    if (!(error instanceof AppError) || (error.status !== 410 && error.status !== 400)) throw error;
    return error;
  };

  router.get('/set-password/:token', async (req, res) => {
    try {
      await deps.api(req, res, null)('get', '/api/password-links/:token', { params: { token: String(req.params.token) } });
      show(req, res, {});
    } catch (error) {
      const refused = refusal(error);
      show(req, res, { gone: refused.status === 410 ? refused.message : LINK_REFUSALS.missing }, 410);
    }
  });

  router.post('/set-password/:token', async (req, res) => {
    const body = req.body as Record<string, string | undefined>;
    if ((body.password ?? '') !== (body.confirm ?? '')) return show(req, res, { error: 'The two passwords are not the same. Type the same password in both boxes.' }, 400);
    try {
      await deps.api(req, res, null)('post', '/api/password-links/:token', { params: { token: String(req.params.token) }, body: { password: body.password ?? '' } });
      show(req, res, { done: true, title: 'Your password is set' });
    } catch (error) {
      const refused = refusal(error);
      if (refused.status === 410) return show(req, res, { gone: refused.message }, 410);
      show(req, res, { error: problemsOf(refused)[0] ?? refused.message }, 400);
    }
  });
}
