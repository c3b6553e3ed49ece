import type { Request, Response, Router } from 'express';
import { AppError } from '../../../errors.ts';
import { sendPage, type PageDeps } from '../page-context.ts';

const FIELD_NAMES: Record<string, string> = { name: 'Your name', email: 'Your email address', password: 'Password', token: 'Setup link' };

/** The first-run page: the setup link's one form, creating the first administrator. */
export function setupPage(router: Router, deps: PageDeps): void {
  const form = (req: Request, res: Response, data: Record<string, unknown>, status = 200) =>
    sendPage(deps, req, res, null, 'setup.njk', { title: 'Set up the service', token: req.params.token, form: {}, notice: null, ...data }, status);

  router.get('/setup/:token', async (req, res) => {
    // The page is the API's own check: an unusable link is the error page, in words.
    const link = await deps.api(req, res, null)<{ email: string | null; name: string | null }>('get', '/api/setup/:token', { params: { token: String(req.params.token) } });
    form(req, res, { form: { email: link.email ?? '', name: link.name ?? '' }, lockedEmail: link.email !== null });
  });

  router.post('/setup/:token', async (req, res) => {
    const body = req.body as Record<string, string | undefined>;
    const api = deps.api(req, res, null);
    try {
      await api('post', '/api/setup/:token', { params: { token: String(req.params.token) }, body: { name: body.name ?? '', email: body.email ?? '', password: body.password ?? '' } });
      res.redirect(303, '/organisation');
    } catch (error) {
      if (!(error instanceof AppError) || error.status === 404 || error.status === 403 || error.status >= 500) throw error;
      const problems = ((error.details as { problems?: { field: string; message: string }[] } | undefined)?.problems ?? []).map((p) => `${FIELD_NAMES[p.field] ?? p.field}: ${p.message}`);
      const link = await api<{ email: string | null }>('get', '/api/setup/:token', { params: { token: String(req.params.token) } });
      form(
        req,
        res,
        { form: { name: body.name ?? '', email: link.email ?? body.email ?? '' }, lockedEmail: link.email !== null, notice: { kind: 'problem', title: 'There is a problem', message: problems.length ? undefined : error.message, problems } },
        error.status,
      );
    }
  });
}
