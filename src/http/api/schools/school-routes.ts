import { z } from 'zod';
import { requireRegisterStaff, requireWholeSchool } from '../../../access/scope.ts';
import { evaluateSchool } from '../../../cases/evaluate-school.ts';
import { IMPORTERS } from '../../../register/import-register.ts';
import { contactRowSchema, isoDateSchema, markRowSchema, pupilRowSchema } from '../../../register/rows.ts';
import { schoolContext, schoolMetrics } from '../../../register/school-metrics.ts';
import type { RegisterFileKind } from '../../../register/rows.ts';
import type { PupilMetrics } from '../../../domain/types.ts';
import { route, type AnyRoute } from '../route.ts';
import { todayOf, type ApiDeps } from '../deps.ts';

const schoolParams = z.object({ id: z.string().min(1).max(100) });

const ROW_SCHEMAS = { marks: markRowSchema, pupils: pupilRowSchema, contacts: contactRowSchema } as const;
const MAX_ROWS = 250_000;

const importBody = <S extends z.ZodType>(row: S) =>
  z.object({
    rows: z.array(row).min(1).max(MAX_ROWS).describe('the MIS export rows, with the CSV file’s column names'),
    reason: z.string().trim().min(1).max(500).default('register import').describe('recorded on every amendment the import makes'),
  });

export function schoolRoutes(deps: ApiDeps): AnyRoute[] {
  const { store } = deps;
  const importRoute = (kind: RegisterFileKind) =>
    route({
      method: 'post',
      path: `/api/schools/:id/${kind}`,
      tag: 'register',
      summary: `Import ${kind} (all or nothing)${kind === 'marks' ? ', then evaluate the school as of today' : ''}`,
      params: schoolParams,
      body: importBody(ROW_SCHEMAS[kind]),
      bodyLimit: '50mb',
      responses: { 200: 'the import was applied', 403: 'only the school’s staff import', 404: 'no school you can see', 422: 'the file was rejected, nothing changed' },
      async handle({ params, body, res, caller }) {
        const me = caller();
        requireRegisterStaff(await me.access(), params.id);
        // Rows were validated by the route's schema; the importer still checks what only the whole file shows.
        const source = (async function* () {
          for (const [index, value] of body.rows.entries()) yield { line: index + 1, ok: true as const, value };
        })();
        const report = await IMPORTERS[kind](store, { schoolId: params.id, source, actor: me.user.id, reason: body.reason, at: deps.clock.now() });
        await me.audit('register.import', { schoolId: params.id }, { kind, applied: report.applied, read: report.read, rejected: report.rejected });
        if (!report.applied) {
          res.status(422);
          return report;
        }
        if (kind !== 'marks') return report;
        return { ...report, evaluation: await evaluateSchool(deps, params.id, todayOf(deps)) };
      },
    });
  return [
    route({
      method: 'get',
      path: '/api/schools/:id/metrics',
      tag: 'schools',
      summary: 'Every pupil’s attendance metrics and the school’s band counts, year to date',
      params: schoolParams,
      query: z.object({ as_of: isoDateSchema.optional().describe('defaults to today') }),
      responses: { 200: 'the metrics', 404: 'no school you can see whole' },
      async handle({ params, query, caller }) {
        const me = caller();
        requireWholeSchool(await me.access(), params.id);
        const context = await schoolContext(store, params.id);
        const asOf = query.as_of ?? todayOf(deps);
        const pupils: { upn: string; metrics: PupilMetrics }[] = [];
        for await (const row of schoolMetrics(store, context, asOf)) pupils.push(row);
        const count = (test: (m: PupilMetrics) => boolean) => pupils.filter((row) => test(row.metrics)).length;
        await me.audit('school.metrics', { schoolId: params.id }, { asOf });
        return {
          schoolId: params.id,
          asOf,
          pupils: pupils.length,
          bands: Object.fromEntries(context.bands.map((band) => [band.name, count((m) => m.band === band.name)])),
          persistentAbsence: count((m) => m.persistentAbsence),
          severeAbsence: count((m) => m.severeAbsence),
          nationalThresholdMet: count((m) => m.nationalThresholdMet),
          rows: pupils,
        };
      },
    }),
    importRoute('marks'),
    importRoute('pupils'),
    importRoute('contacts'),
  ];
}
