import { z } from 'zod';
import { canSeeCase, notFound } from '../../../access/scope.ts';
import { upnSchema } from '../../../register/rows.ts';
import { route, type AnyRoute } from '../route.ts';
import type { ApiDeps } from '../deps.ts';
import { caseSummary, pupilSummary } from '../cases/case-view.ts';

export function pupilRoutes({ store }: ApiDeps): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/pupils/:upn',
      tag: 'pupils',
      summary: 'A pupil in each school you can see them in, with contacts and cases',
      params: z.object({ upn: upnSchema }),
      responses: { 200: 'the pupil’s records', 404: 'no pupil you can see' },
      async handle({ params, caller }) {
        const me = caller();
        const access = await me.access();
        const records = [];
        // A UPN follows the child from school to school: one record per school that holds it.
        for (const schoolId of access.caseSchoolIds) {
          const pupil = await store.getPupil(schoolId, params.upn);
          if (!pupil) continue;
          const cases = (await store.listCases({ schoolIds: [schoolId], upn: params.upn, limit: 1000 })).cases.filter((record) => canSeeCase(access, record));
          // An EWO sees a pupil only through a case referred to them.
          if (!access.wholeSchoolIds.has(schoolId) && cases.length === 0) continue;
          records.push({ schoolId, pupil: pupilSummary(pupil), contacts: await store.listContacts(schoolId, params.upn), cases: cases.map(caseSummary) });
        }
        if (records.length === 0) throw notFound(`pupil '${params.upn}'`);
        for (const record of records) await me.audit('pupil.read', { schoolId: record.schoolId, upn: params.upn });
        return { upn: params.upn, records };
      },
    }),
  ];
}
