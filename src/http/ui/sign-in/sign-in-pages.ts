import type { Request, Response, Router } from 'express';
import { checkCsrf } from '../../auth/sessions.ts';
import { AppError } from '../../../errors.ts';
import { page, sendPage, type PageDeps } from '../page-context.ts';

/** Only a path on this site: `next` comes from the query string, and an open redirect would help phishing. */
const safeNext = (value: unknown) => (typeof value === 'string' && /^\/(?!\/)[^\\]*$/.test(value) ? value : '/');

export function signInPages(router: Router, deps: PageDeps): void {
  const form = (req: Request, res: Response, data: { next: string; email?: string; error?: string }, status = 200) =>
    sendPage(deps, req, res, null, 'signin.njk', { title: 'Sign in', oidcLabel: deps.oidc?.label ?? null, email: '', ...data }, status);

  router.get('/signin', async (req, res) => {
    if (await deps.sessions.load(req)) return res.redirect(303, safeNext(req.query.next));
    form(req, res, { next: safeNext(req.query.next) });
  });

  router.post('/signin', async (req, res) => {
    const body = req.body as Record<string, string | undefined>;
    const next = safeNext(body.next);
    try {
      // The API's own sign-in: the same rate limits, same-origin check, session and audit.
      await deps.api(req, res, null)('post', '/api/auth/login', { body: { email: body.email ?? '', password: body.password ?? '' } });
      res.redirect(303, next);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const message = error.status === 400 ? 'Enter your email address and password.' : `${error.message.charAt(0).toUpperCase()}${error.message.slice(1)}.`;
      form(req, res, { next, email: body.email ?? '', error: message }, error.status);
    }
  });

  router.post(
    '/signout',
    page(deps, async ({ req, res, signedIn, api }) => {
      checkCsrf(req, signedIn.session);
      await api('post', '/api/auth/logout');
      res.redirect(303, '/signin');
    }),
  );
}
