import { z } from 'zod';
import { requireRole } from '../../../access/scope.ts';
import { AppError } from '../../../errors.ts';
import { route, type AnyRoute } from '../route.ts';
import type { ApiDeps } from '../deps.ts';
import { DURATION_SYNTAX, parseDuration } from '../../../domain/duration.ts';

const duration = z
  .string()
  .max(16)
  .transform((text, ctx) => parseDuration(text) ?? (ctx.addIssue({ code: 'custom', message: DURATION_SYNTAX }), z.NEVER));
const page = z.string().regex(/^[1-9]\d{0,5}$/, 'must be a page number from 1').transform(Number);
const instant = z.iso.datetime({ offset: true }).transform((text) => new Date(text));
const AUDIT_PAGE = 100;

export function adminRoutes(deps: ApiDeps): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/audit',
      tag: 'admin',
      summary: 'The audit log, newest first (admins only)',
      query: z.object({
        actor: z.string().min(1).max(200).optional(),
        case: z.string().min(1).max(100).optional(),
        upn: z.string().min(1).max(20).optional(),
        school: z.string().min(1).max(100).optional(),
        from: instant.optional(),
        to: instant.optional(),
        page: page.default(1),
      }),
      responses: { 200: 'a page of the audit log', 403: 'not an admin' },
      async handle({ query, caller }) {
        const me = caller();
        requireRole(await me.access(), ['admin']);
        const { total, entries } = await deps.store.listAudit({
          actor: query.actor,
          caseId: query.case,
          upn: query.upn,
          schoolIds: query.school === undefined ? undefined : [query.school],
          from: query.from,
          to: query.to,
          limit: AUDIT_PAGE,
          offset: (query.page - 1) * AUDIT_PAGE,
        });
        return { total, page: query.page, pageSize: AUDIT_PAGE, entries };
      },
    }),
    route({
      method: 'post',
      path: '/api/admin/clock/advance',
      tag: 'admin',
      summary: 'Demo only: move the shared clock forward, firing timers and nightly evaluations on the way',
      body: z.object({ duration: duration.describe('how far: 30m, 12h, 7d, 3w') }),
      responses: { 200: 'the clock moved', 403: 'not an admin', 409: 'not in demo mode: the clock is real time' },
      async handle({ body, caller }) {
        const me = caller();
        requireRole(await me.access(), ['admin']);
        if (!deps.demoClock) throw new AppError(409, 'clock_fixed', 'the clock moves only in demo mode');
        const advanced = await deps.demoClock.advance(body.duration);
        await me.audit('clock.advance', {}, { from: advanced.from.toISOString(), to: advanced.to.toISOString() });
        return advanced;
      },
    }),
  ];
}
