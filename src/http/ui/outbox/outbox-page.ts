import type { Router } from 'express';
import { z } from 'zod';
import { canSeeCase } from '../../../access/scope.ts';
import type { School } from '../../../store/types.ts';
import { checkCsrf } from '../../auth/sessions.ts';
import { page, type PageDeps } from '../page-context.ts';

const SHOWN = 200;
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
      const schools = (await Promise.all(me.caseSchoolIds.map((id) => deps.store.getSchool(id)))).filter((school): school is School => school !== null);
      const names = new Map(schools.map((school) => [school.id, school.name]));
      const messages = me.caseSchoolIds.length ? await deps.store.listMessages({ schoolIds: me.caseSchoolIds }) : [];
      const cases = new Map<string, boolean>();
      const visible = [];
      // Newest first; a message about a case shows only to those who may see the case.
      for (const message of messages.reverse()) {
        if (visible.length >= SHOWN) break;
        if (message.caseId === null ? !me.wholeSchoolIds.has(message.schoolId) : !(cases.get(message.caseId) ?? (await seeCase(message.caseId)))) continue;
        visible.push({ ...message, schoolName: names.get(message.schoolId) ?? message.schoolId });
      }
      async function seeCase(caseId: string) {
        const record = await deps.store.getCase(caseId);
        const ok = record !== null && canSeeCase(me, record);
        cases.set(caseId, ok);
        return ok;
      }
      await render('outbox.njk', {
        title: 'Outbox',
        messages: visible,
        total: messages.length,
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
