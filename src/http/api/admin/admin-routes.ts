import { z } from 'zod';
import { requireRole } from '../../../access/scope.ts';
import { AppError } from '../../errors.ts';
import { route, type AnyRoute } from '../route.ts';
import type { ApiDeps } from '../deps.ts';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const duration = z
  .string()
  .regex(/^[1-9]\d{0,3}[mhd]$/, 'a number and a unit: 30m, 12h, 7d')
  .transform((text) => Number(text.slice(0, -1)) * UNIT_MS[text.at(-1) as keyof typeof UNIT_MS])
  .refine((ms) => ms <= 400 * UNIT_MS.d, 'at most 400 days at a time');
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
      body: z.object({ duration: duration.describe('how far: 30m, 12h, 7d') }),
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
