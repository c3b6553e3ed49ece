// A school's policy as its staff work on it: the draft they edit, the versions they publish.
import { policyDocumentSchema, type PolicyDocument } from '../domain/policy-document.ts';
import type { Policy } from '../domain/policy.ts';
import { AppError } from '../errors.ts';
import type { PolicyDraft, PolicyVersion, School, Store } from '../store/types.ts';
import { WORKFLOWS } from '../../workflows/index.ts';
import { composePolicy, ntiRangeFor, parseDocument, type NtiRange } from './school-policy.ts';

export type SchoolRef = Pick<School, 'id' | 'name' | 'workflowId' | 'localAuthority'>;

export interface PolicyView {
  school: { id: string; name: string };
  /** The version new cases open on: 1 is the built-in policy the school was set up with. */
  currentVersion: number;
  versions: { version: number; publishedAt: Date | null; publishedBy: string | null; note: string; base: string }[];
  /** The document being edited: the saved draft, else the current version's (a copy of the built-in one at first). */
  draft: { document: PolicyDocument; revision: number; updatedAt: Date | null; updatedBy: string | null; saved: boolean };
  /** The built-in policies a school can start from. */
  bases: { id: string; name: string }[];
  ntiRange: NtiRange;
}

const builtInDocument = (school: SchoolRef): PolicyDocument => ({ base: school.workflowId, overrides: {} });

/** The document of a version: 1 is the built-in workflow with nothing changed. */
export function versionDocument(school: SchoolRef, versions: PolicyVersion[], version: number): PolicyDocument {
  if (version === 1) return builtInDocument(school);
  const found = versions.find((v) => v.version === version);
  if (!found) throw new AppError(404, 'not_found', `${school.name} has no policy version ${version}`);
  return policyDocumentSchema.parse(found.document);
}

export async function viewPolicy(store: Store, school: SchoolRef): Promise<PolicyView> {
  const versions = await store.listPolicyVersions(school.id);
  const draft: PolicyDraft | null = await store.getPolicyDraft(school.id);
  const currentVersion = versions.at(-1)?.version ?? 1;
  return {
    school: { id: school.id, name: school.name },
    currentVersion,
    versions: [
      { version: 1, publishedAt: null, publishedBy: null, note: `the built-in ${WORKFLOWS[school.workflowId]?.policy.name ?? school.workflowId} policy the school was set up with`, base: school.workflowId },
      ...versions.map((v) => ({ version: v.version, publishedAt: v.publishedAt, publishedBy: v.publishedBy, note: v.note, base: (v.document as PolicyDocument).base })),
    ],
    draft: draft
      ? { document: draft.document as PolicyDocument, revision: draft.revision, updatedAt: draft.updatedAt, updatedBy: draft.updatedBy, saved: true }
      : { document: versionDocument(school, versions, currentVersion), revision: 0, updatedAt: null, updatedBy: null, saved: false },
    bases: Object.values(WORKFLOWS).map((w) => ({ id: w.id, name: w.policy.name })),
    ntiRange: ntiRangeFor(school.localAuthority),
  };
}

/** The document checked whole: its shape, the guardrails, and the policy it makes for this school. */
export function checkDocument(school: SchoolRef, raw: unknown): { document: PolicyDocument; policy: Policy } {
  const document = parseDocument(raw);
  return { document, policy: composePolicy(document, school.localAuthority) };
}

/** Saves the draft if it is still at the revision the editor saw; a policy that cannot run is refused unsaved. */
export async function saveDraft(store: Store, school: SchoolRef, raw: unknown, meta: { expectedRevision: number; by: string; at: Date }): Promise<PolicyDraft> {
  const { document } = checkDocument(school, raw);
  const saved = await store.savePolicyDraft(school.id, document, meta);
  if (!saved) throw new AppError(409, 'version_conflict', 'the draft was changed by someone else since you opened it: reload it and make your change again');
  return saved;
}

/**
 * Publishes the draft as the next version: new cases open on it at once; open cases stay on the
 * version they run on until moved (see migrate-cases.ts).
 */
export async function publishDraft(store: Store, school: SchoolRef, meta: { expectedRevision: number; note: string; by: string; at: Date }): Promise<PolicyVersion> {
  const draft = await store.getPolicyDraft(school.id);
  if (!draft) throw new AppError(409, 'no_draft', 'there is no saved draft to publish: save your changes first');
  if (draft.revision !== meta.expectedRevision) throw new AppError(409, 'version_conflict', 'the draft changed since you checked it: look at the dry run again before publishing');
  const { document } = checkDocument(school, draft.document);
  const versions = await store.listPolicyVersions(school.id);
  const version: PolicyVersion = { schoolId: school.id, version: (versions.at(-1)?.version ?? 1) + 1, document, publishedAt: meta.at, publishedBy: meta.by, note: meta.note };
  if (!(await store.publishPolicyVersion(version))) throw new AppError(409, 'version_conflict', 'someone else published a version at the same moment: reload and check the dry run again');
  return version;
}
