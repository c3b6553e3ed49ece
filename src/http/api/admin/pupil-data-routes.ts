import { z } from 'zod';
import { requireRole, requireWholeSchool } from '../../../access/scope.ts';
import { upnSchema } from '../../../register/rows.ts';
import { erasePupilData, exportPupilData, type SubjectAudit } from '../../../subject-access/pupil-data.ts';
import { AppError } from '../../../errors.ts';
import { route, type AnyRoute } from '../route.ts';
import type { ApiDeps } from '../deps.ts';

export interface PupilDataDeps extends ApiDeps {
  /** Where the .eml copies are (erasure removes them). */
  dataDir: string;
  /** RETAIN_LEFT_PUPILS_YEARS_FROM_BIRTH: a pupil may be erased once past it. */
  pupilYearsFromBirth: number;
  /** Wall-clock time: retention runs on the real calendar, never the demo clock. */
  now: () => Date;
}

const params = z.object({ id: z.string().min(1).max(100), upn: upnSchema });

/** Subject access and erasure of one pupil: admins of a school they see whole. */
export function pupilDataRoutes(deps: PupilDataDeps): AnyRoute[] {
  const { store } = deps;
  return [
    route({
      method: 'get',
      path: '/api/schools/:id/pupils/:upn/data.zip',
      tag: 'admin',
      summary: 'Subject access: everything held about one pupil as a zip (register, cases, timelines, tasks, letters and emails as sent, contacts, audit entries); audited under an opaque reference',
      params,
      responses: { 200: 'the zip', 403: 'not an admin', 404: 'no such pupil at a school you can see' },
      async handle({ params: p, res, caller }) {
        const me = caller();
        const access = await me.access();
        requireRole(access, ['admin']);
        requireWholeSchool(access, p.id);
        const audit: SubjectAudit = (action, detail) => me.audit(action, { schoolId: p.id }, detail);
        const exported = await exportPupilData(store, p.id, p.upn, audit, deps.now());
        if (!exported) throw new AppError(404, 'not_found', 'no such pupil at this school');
        res
          .set('Content-Type', 'application/zip')
          .set('Content-Disposition', `attachment; filename="pupil-data-${exported.reference}.zip"`)
          .set('Cache-Control', 'no-store')
          .send(Buffer.from(exported.zip));
      },
    }),
    route({
      method: 'post',
      path: '/api/schools/:id/pupils/:upn/erase',
      tag: 'admin',
      summary: 'Erasure: deletes a pupil who has left and is past retention, with register, contacts and closed cases; refused (409) within the period or with a case open',
      params,
      responses: { 200: 'erased, with the audit reference', 403: 'not an admin', 404: 'no such pupil at a school you can see', 409: 'still on roll, within retention, or a case is open' },
      async handle({ params: p, caller }) {
        const me = caller();
        const access = await me.access();
        requireRole(access, ['admin']);
        requireWholeSchool(access, p.id);
        const outcome = await erasePupilData({ store, dataDir: deps.dataDir }, p.id, p.upn, {
          yearsFromBirth: deps.pupilYearsFromBirth,
          now: deps.now(),
          audit: (action, detail) => me.audit(action, { schoolId: p.id }, detail),
        });
        if (!outcome.erased) throw new AppError(outcome.status, outcome.status === 404 ? 'not_found' : 'retention', outcome.message);
        return { erased: true, reference: outcome.reference };
      },
    }),
  ];
}
