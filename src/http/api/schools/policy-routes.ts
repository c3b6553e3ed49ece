import { z } from 'zod';
import { requireRole, requireWholeSchool, type Access } from '../../../access/scope.ts';
import { POLICY_EDIT_ROLES } from '../../../access/roles.ts';
import { policyDocumentSchema } from '../../../domain/policy-document.ts';
import { AppError } from '../../../errors.ts';
import { dryRun } from '../../../policies/dry-run.ts';
import { applyMigration, planMigration } from '../../../policies/migrate-cases.ts';
import { MAX_POLICY_FILE_BYTES, POLICY_FILE_FORMATS, policyFormatOf, readPolicyFile, writePolicyFile } from '../../../policies/policy-files.ts';
import { checkDocument, publishDraft, saveDraft, versionDocument, viewPolicy } from '../../../policies/policy-service.ts';
import { schoolWorkflow } from '../../../policies/school-policy.ts';
import type { School } from '../../../store/types.ts';
import { route, type AnyRoute } from '../route.ts';
import { todayOf, type ApiDeps } from '../deps.ts';

const schoolParams = z.object({ id: z.string().min(1).max(100) });
const revision = z.number().int().min(0).describe('the draft’s revision as you read it (0 when there is no saved draft): a draft changed since is not overwritten');
const version = z.number().int().min(1).max(100_000);

const draftBody = z
  .object({
    document: z.unknown().optional().describe('the policy document as JSON: { base, overrides } (see the policy page for what each field means)'),
    content: z.string().max(MAX_POLICY_FILE_BYTES).optional().describe('or the document as a file’s text, JSON or YAML'),
    format: z.enum(POLICY_FILE_FORMATS).optional().describe('the file’s format; read from fileName or the content when left out'),
    fileName: z.string().max(255).optional(),
    revision,
  })
  .refine((body) => (body.document === undefined) !== (body.content === undefined), 'send either document or content');

const migrationBody = z.object({
  from: version.describe('the version the open cases run on'),
  to: version.describe('the version to move them to'),
  mapping: z.record(z.string().max(120), z.string().max(120)).default({}).describe('for each state of the old version (as open.stage1a), the state of the new one the case moves to'),
  caseIds: z.array(z.string().max(100)).max(10_000).optional().describe('only these cases; all open cases on `from` when left out'),
  apply: z.boolean().default(false).describe('false: a preview, case by case; true: move them (nothing is sent)'),
});

/** The school, if the caller may see it whole: its policy decides every case of its pupils. */
async function schoolFor(deps: ApiDeps, access: Access, id: string): Promise<School> {
  requireWholeSchool(access, id);
  const school = await deps.store.getSchool(id);
  if (!school) throw new AppError(404, 'not_found', `no school '${id}'`);
  return school;
}

/** The policy a school's draft makes: its rules, its diagram, or the problems that stop it running. */
function draftPolicy(school: School, document: unknown) {
  try {
    const workflow = schoolWorkflow(document, school.localAuthority);
    return { policy: workflow.policy, diagram: workflow.diagram, problems: [] };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { policy: null, diagram: null, problems: (error.details as { problems?: unknown[] } | undefined)?.problems ?? [{ field: '', message: error.message }] };
  }
}

export function policyRoutes(deps: ApiDeps): AnyRoute[] {
  const { store } = deps;
  const editor = async (caller: () => { access(): Promise<Access> }, id: string) => {
    const access = await caller().access();
    const school = await schoolFor(deps, access, id);
    requireRole(access, POLICY_EDIT_ROLES);
    return school;
  };
  return [
    route({
      method: 'get',
      path: '/api/schools/:id/policy',
      tag: 'policies',
      summary: 'The school’s policy: its published versions, the draft being edited (with the policy and diagram it makes), and the Notice to Improve range of its LA',
      params: schoolParams,
      responses: { 200: 'the policy', 403: 'only the senior attendance champion or an admin edits the policy', 404: 'no school you can see whole' },
      async handle({ params, caller }) {
        const school = await editor(caller, params.id);
        const view = await viewPolicy(store, school);
        return { ...view, draftPolicy: draftPolicy(school, view.draft.document) };
      },
    }),
    route({
      method: 'post',
      path: '/api/schools/:id/policy/draft',
      tag: 'policies',
      summary: 'Save the draft policy (JSON, or a JSON or YAML file’s text): refused unsaved when it would not run or reaches for a statutory rule',
      params: schoolParams,
      body: draftBody,
      bodyLimit: '512kb',
      responses: { 200: 'the draft as saved', 403: 'only the senior attendance champion or an admin edits the policy', 404: 'no school you can see whole', 409: 'the draft changed since you read it', 413: 'the file is too large', 422: 'the policy cannot be used: each problem names its field (and a statutory rule where it reaches for one)' },
      async handle({ params, body, caller }) {
        const school = await editor(caller, params.id);
        const raw = body.content !== undefined ? readPolicyFile(body.content, body.format ?? policyFormatOf(body.fileName ?? null, body.content)) : body.document;
        const saved = await saveDraft(store, school, raw, { expectedRevision: body.revision, by: caller().user.id, at: deps.clock.now() });
        await caller().audit('school.policy.draft', { schoolId: school.id }, { revision: saved.revision });
        return saved;
      },
    }),
    route({
      method: 'get',
      path: '/api/schools/:id/policy/export',
      tag: 'policies',
      summary: 'A version of the school’s policy (or its draft) as a JSON or YAML file',
      params: schoolParams,
      query: z.object({ version: z.coerce.number().int().min(1).optional().describe('leave out for the draft'), format: z.enum(POLICY_FILE_FORMATS).default('yaml') }),
      responses: { 200: '{ fileName, content }', 403: 'only the senior attendance champion or an admin edits the policy', 404: 'no such school or version' },
      async handle({ params, query, caller }) {
        const school = await editor(caller, params.id);
        const document = query.version === undefined ? (await viewPolicy(store, school)).draft.document : versionDocument(school, await store.listPolicyVersions(school.id), query.version);
        const name = `${school.id}-policy-${query.version === undefined ? 'draft' : `v${query.version}`}.${query.format === 'yaml' ? 'yaml' : 'json'}`;
        return { fileName: name, content: writePolicyFile(policyDocumentSchema.parse(document), query.format) };
      },
    }),
    route({
      method: 'post',
      path: '/api/schools/:id/policy/dry-run',
      tag: 'policies',
      summary: 'The saved draft tried on the school’s register as of today, beside the published policy, pupil by pupil: nothing is stored or sent',
      params: schoolParams,
      responses: { 200: 'the dry run', 403: 'only the senior attendance champion or an admin edits the policy', 404: 'no school you can see whole', 409: 'no saved draft', 422: 'the draft cannot be used' },
      async handle({ params, caller }) {
        const school = await editor(caller, params.id);
        const draft = await store.getPolicyDraft(school.id);
        if (!draft) throw new AppError(409, 'no_draft', 'there is no saved draft to try: save your changes first');
        checkDocument(school, draft.document);
        const result = await dryRun(store, school, schoolWorkflow(draft.document, school.localAuthority), todayOf(deps));
        // The dry run lists pupils by name: seeing it is a read of them.
        await caller().audit('school.policy.dryRun', { schoolId: school.id }, { revision: draft.revision, pupilsListed: result.rows.length });
        return { ...result, revision: draft.revision };
      },
    }),
    route({
      method: 'post',
      path: '/api/schools/:id/policy/publish',
      tag: 'policies',
      summary: 'Publish the saved draft as the next version: new cases open on it at once; open cases stay on their version until moved',
      params: schoolParams,
      body: z.object({ revision: revision.min(1), note: z.string().trim().max(500).default('').describe('what changed, in your words') }),
      responses: { 200: 'the version published', 403: 'only the senior attendance champion or an admin edits the policy', 404: 'no school you can see whole', 409: 'no saved draft, or it changed since you checked it', 422: 'the draft cannot be used' },
      async handle({ params, body, caller }) {
        const school = await editor(caller, params.id);
        const published = await publishDraft(store, school, { expectedRevision: body.revision, note: body.note, by: caller().user.id, at: deps.clock.now() });
        await caller().audit('school.policy.publish', { schoolId: school.id }, { version: published.version });
        return published;
      },
    }),
    route({
      method: 'post',
      path: '/api/schools/:id/policy/migration',
      tag: 'policies',
      summary: 'Move open cases from one version of the school’s policy to another by a state-by-state mapping: a preview case by case, or (apply: true) the move, which sends nothing',
      params: schoolParams,
      body: migrationBody,
      bodyLimit: '512kb',
      responses: { 200: 'the preview, or the cases moved and skipped', 400: 'the same version twice, or cases not on `from`', 403: 'only the senior attendance champion or an admin moves cases between versions', 404: 'no school you can see whole, or no such version', 422: 'some case has no state to move to: nothing moved' },
      async handle({ params, body, caller }) {
        const school = await editor(caller, params.id);
        if (!body.apply) return planMigration(store, school, body.from, body.to, body.mapping);
        const result = await applyMigration(store, school, body, { by: caller().user.id, at: deps.clock.now() });
        await caller().audit('school.policy.migrate', { schoolId: school.id }, { from: body.from, to: body.to, moved: result.moved.length, skipped: result.skipped.length });
        return result;
      },
    }),
  ];
}
