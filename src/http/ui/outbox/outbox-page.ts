import type { Router } from 'express';
import { z } from 'zod';
import { checkCsrf } from '../../auth/sessions.ts';
import { page, type PageDeps } from '../page-context.ts';

/** Messages per page of the outbox. */
export const PAGE_SIZE = 50;
const pageQuery = z.coerce.number().int().min(1).max(100_000).catch(1);
/** In the one duration syntax (src/domain/duration.ts), as the CLI and the API take it. */
export const CLOCK_STEPS = [
  { value: '1d', label: 'One day' },
  { value: '1w', label: 'One week' },
  { value: '2w', label: 'Two weeks' },
  { value: '4w', label: 'Four weeks' },
];
const advancedQuery = z.object({ timers: z.coerce.number().int().min(0), evaluations: z.coerce.number().int().min(0) }).nullable().catch(null);

export function outboxPage(router: Router, deps: PageDeps): void {
  router.get(
    '/outbox',
    page(deps, async ({ req, render, access, signedIn }) => {
      const me = await access();
      // One read for the schools' names, not one a school.
      const inScope = new Set(me.caseSchoolIds);
      const names = new Map((await deps.store.listSchools()).filter((school) => inScope.has(school.id)).map((school) => [school.id, school.name]));
      const wanted = pageQuery.parse(req.query.page);
      // Only what this person may see, a page at a time, without the letters' and emails' bodies:
      // whole schools' messages, and for an EWO those about the cases referred to them.
      const { total, messages } = await deps.store.listMessagePage({
        schoolIds: [...me.wholeSchoolIds],
        caseIds: [...(me.referredCaseIds ?? [])],
        limit: PAGE_SIZE,
        offset: (wanted - 1) * PAGE_SIZE,
      });
      await deps.audit(signedIn.user.id, 'outbox.read', {}, { page: wanted, shown: messages.map((message) => message.id) });
      const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
      await render('outbox.njk', {
        title: 'Outbox',
        messages: messages.map((message) => ({ ...message, schoolName: names.get(message.schoolId) ?? message.schoolId })),
        total,
        from: messages.length === 0 ? 0 : (wanted - 1) * PAGE_SIZE + 1,
        previous: wanted > 1 ? Math.min(wanted - 1, pages) : null,
        next: wanted < pages ? wanted + 1 : null,
        clock: deps.demoClock && signedIn.user.role === 'admin' ? { steps: CLOCK_STEPS } : null,
        advanced: req.query.timers === undefined ? null : advancedQuery.parse(req.query),
      });
    }),
  );

  router.post(
    '/demo/clock',
    page(deps, async ({ req, res, signedIn, api }) => {
      checkCsrf(req, signedIn.session);
      // The API's own route: admins only, demo mode only, audited.
      const moved = await api<{ timersFired: number; evaluations: number }>('post', '/api/admin/clock/advance', { body: { duration: (req.body as { duration?: string }).duration } });
      res.redirect(303, `/outbox?timers=${moved.timersFired}&evaluations=${moved.evaluations}#clock`);
    }),
  );
}
