import { z } from 'zod';
import type { ErrorRequestHandler, NextFunction, Request, Response } from 'express';
import type { CaseService } from '../../cases/case-service.ts';
import type { Clock } from '../../clock.ts';
import type { Logger } from '../../logger.ts';
import type { Role, Store } from '../../store/types.ts';
import { ROLE_NAMES, SETUP_ROLES } from '../../access/roles.ts';
import { accessFor, type Access } from '../../access/scope.ts';
import type { AuditRecorder } from '../../access/audit.ts';
import type { OidcSettings } from '../auth/auth-config.ts';
import type { SignedIn, Sessions } from '../auth/sessions.ts';
import type { DemoClockControl } from '../api/deps.ts';
import { AppError } from '../../errors.ts';
import { isDatabaseUnavailable, outsideCalendar } from '../errors.ts';
import { CalendarCoverageError } from '../../domain/calendar.ts';
import { auditRefusal } from '../api/route.ts';
import type { ApiCall, apiCaller } from './api-call.ts';
import { renderView } from './views.ts';
import { heldCount } from '../../approvals/waiting.ts';
import type { RegisterFeedSettings } from './register/feed-settings.ts';

export interface PageDeps {
  store: Store;
  cases: CaseService;
  clock: Clock;
  logger: Logger;
  demoClock: DemoClockControl | null;
  oidc: OidcSettings | null;
  sessions: Sessions;
  audit: AuditRecorder;
  api: ReturnType<typeof apiCaller>;
  /** The upload cap and drop folder (REGISTER_UPLOAD_MAX_MB, REGISTER_DROP_DIR); the defaults without. */
  registerFeed?: RegisterFeedSettings;
}

export interface Page {
  req: Request;
  res: Response;
  signedIn: SignedIn;
  api: ApiCall;
  access(): Promise<Access>;
  render(view: string, data?: Record<string, unknown>, status?: number): Promise<void>;
}

const NAV: { href: string; label: string; roles?: readonly Role[] }[] = [
  { href: '/', label: 'Work queue' },
  { href: '/dashboard', label: 'Dashboard' },
  { href: '/workflows', label: 'Workflows' },
  { href: '/approvals', label: 'Approvals' },
  { href: '/outbox', label: 'Outbox' },
  { href: '/organisation', label: 'Trusts and schools', roles: SETUP_ROLES },
  { href: '/staff', label: 'Staff', roles: SETUP_ROLES },
];

/** What every page's layout shows: who is signed in, the navigation, the demo clock. */
function layoutData(deps: PageDeps, req: Request, signedIn: SignedIn | null) {
  return {
    user: signedIn && { name: signedIn.user.name, role: ROLE_NAMES[signedIn.user.role], isAdmin: signedIn.user.role === 'admin' },
    csrfToken: signedIn?.session.csrfToken ?? '',
    nav: signedIn ? NAV.filter((item) => !item.roles || item.roles.includes(signedIn.user.role)).map((item) => ({ ...item, current: item.href === '/' ? req.path === '/' || req.path.startsWith('/cases') : req.path.startsWith(item.href) })) : [],
    demo: deps.demoClock !== null,
    // Its own name: a page's `today` (a calendar date for its forms) must not move the banner's clock to noon.
    clockNow: deps.clock.now(),
  };
}

export function sendPage(deps: PageDeps, req: Request, res: Response, signedIn: SignedIn | null, view: string, data: Record<string, unknown>, status = 200): void {
  // Personal data: no shared cache may keep a page.
  res.set('Cache-Control', 'no-store');
  res.status(status).type('html').send(renderView(view, { ...layoutData(deps, req, signedIn), ...data }));
}

type PageHandler = (page: Page) => Promise<void>;

/** A signed-in page: anyone else is sent to sign in and brought back afterwards. */
export function page(deps: PageDeps, handler: PageHandler) {
  return async (req: Request, res: Response, next: NextFunction) => {
    // What the request log names: the pattern, never the path with its UPNs and ids.
    res.locals.route = `${req.baseUrl}${typeof req.route?.path === 'string' ? req.route.path : ''}`;
    // Every page filter takes one value: `?school=a&school=b` is a mistake to name, not a crash.
    const repeated = Object.entries(req.query).filter(([, value]) => typeof value !== 'string').map(([key]) => key);
    if (repeated.length > 0) return next(new AppError(400, 'bad_request', `give each filter once: ${repeated.join(', ')} appears more than once`));
    const signedIn = await deps.sessions.load(req);
    if (!signedIn) {
      if (req.method === 'GET') return res.redirect(303, `/signin?next=${encodeURIComponent(req.originalUrl)}`);
      return next(new AppError(401, 'unauthenticated', 'Your session has ended. Sign in again, then repeat what you were doing.'));
    }
    res.locals.signedIn = signedIn;
    let access: Promise<Access> | null = null;
    // The same Access the API computes, for pages that read the store through the scope functions;
    // worked out once a request, and shared with the API routes the page calls.
    const accessOnce = () => (access ??= accessFor(deps.store, signedIn.user));
    const api = deps.api(req, res, signedIn, accessOnce);
    try {
      await handler({
        req,
        res,
        signedIn,
        api,
        access: accessOnce,
        // The header shows how many letters and legal steps wait for someone, on every page.
        render: async (view, data = {}, status = 200) =>
          sendPage(deps, req, res, signedIn, view, { approvalsWaiting: await heldCount(deps.store, await accessOnce()), ...data }, status),
      });
    } catch (error) {
      await auditRefusal(deps.audit, signedIn, error, { page: req.path });
      throw error;
    }
  };
}

const TITLES: Record<number, string> = { 400: 'There is a problem', 401: 'Sign in again', 403: 'You cannot do that', 404: 'Page not found', 409: 'This case changed' };

/** Errors on pages are pages too: the same statuses as the API, said in words. */
export function pageErrors(deps: PageDeps): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const signedIn = (res.locals.signedIn as SignedIn | undefined) ?? null;
    if (error instanceof AppError) {
      const problems = (error.details as { problems?: { field: string; message: string }[] } | undefined)?.problems ?? [];
      sendPage(deps, req, res, signedIn, 'error.njk', { title: TITLES[error.status] ?? 'There is a problem', message: error.message, problems }, error.status);
      return;
    }
    if (error instanceof z.ZodError) {
      // A page's own query or form that did not parse: what is wrong, said per field.
      const problems = error.issues.map((issue) => ({ field: issue.path.join('.') || 'the request', message: issue.message }));
      sendPage(deps, req, res, signedIn, 'error.njk', { title: TITLES[400], message: 'Some of what was asked for could not be read.', problems }, 400);
      return;
    }
    if (error instanceof CalendarCoverageError) {
      sendPage(deps, req, res, signedIn, 'error.njk', { title: 'There is a problem', message: outsideCalendar(error), problems: [] }, 422);
      return;
    }
    if (isDatabaseUnavailable(error)) {
      // As the API answers: nothing was half-written, and the same click will work in a moment.
      deps.logger.warn({ err: error }, 'database unavailable');
      res.set('Retry-After', '5');
      sendPage(deps, req, res, signedIn, 'error.njk', { title: 'The service is busy', message: 'The database is not reachable just now. Nothing was changed: please try again in a moment.', problems: [] }, 503);
      return;
    }
    deps.logger.error({ err: error }, 'page failed');
    sendPage(deps, req, res, signedIn, 'error.njk', { title: 'Sorry, something went wrong', message: 'It has been logged. Try again in a moment.', problems: [] }, 500);
  };
}
