// Setting up trusts and schools: who may, what is checked, and the audit entry each change leaves.
// Archiving keeps everything on record (cases, letters, the register) and stops the school being
// evaluated or set up further; nothing here deletes.
import { AppError } from '../errors.ts';
import type { AuditTarget } from '../access/audit.ts';
import type { Role, School, Store, Trust } from '../store/types.ts';
import { mailboxWarnings, type SchoolInput, type TrustInput } from './organisation-input.ts';

/** Who is setting up: a signed-in person, or the operator at the command line (an admin). */
export interface SetupActor {
  role: Role;
  trustId: string | null;
}

export interface OrganisationDeps {
  store: Store;
  /** Records the change under the actor's name. */
  audit: (action: string, target: AuditTarget, detail?: Record<string, unknown>) => Promise<void>;
  now: () => Date;
}

const notFound = (what: string) => new AppError(404, 'not_found', `no ${what}`);
const forbidden = (why: string) => new AppError(403, 'forbidden', why);

export const maySetUp = (actor: SetupActor, trustId: string) => actor.role === 'admin' || (actor.role === 'trustAdmin' && actor.trustId === trustId);

/** The trusts an actor may set up: every one for an admin, their own for a trust administrator. */
export async function trustsFor(store: Store, actor: SetupActor): Promise<Trust[]> {
  const trusts = await store.listTrusts();
  return trusts.filter((trust) => maySetUp(actor, trust.id));
}

/** The trust, if the actor may set it up; otherwise the same 404 as one that does not exist. */
async function trustFor(store: Store, actor: SetupActor, id: string): Promise<Trust> {
  const trust = await store.getTrust(id);
  if (!trust || !maySetUp(actor, trust.id)) throw notFound(`trust '${id}'`);
  return trust;
}

export async function schoolFor(store: Store, actor: SetupActor, id: string): Promise<School> {
  const school = await store.getSchool(id);
  if (!school || !maySetUp(actor, school.trustId)) throw notFound(`school '${id}'`);
  return school;
}

/** A readable id from a name, not taken yet: "St Mary's C of E Primary" → `st-marys-c-of-e-primary`. */
async function freeId(name: string, taken: (id: string) => Promise<boolean>): Promise<string> {
  const base =
    name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[\u0300-\u036f'’]/g, '')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 60)
      .replace(/-$/, '') || 'school';
  for (let n = 1; ; n += 1) {
    const id = n === 1 ? base : `${base}-${n}`;
    if (!(await taken(id))) return id;
  }
}

export async function createTrust(deps: OrganisationDeps, actor: SetupActor, input: TrustInput): Promise<Trust> {
  if (actor.role !== 'admin') throw forbidden('only an administrator of the service adds a trust');
  const trust: Trust = { id: await freeId(input.name, async (id) => (await deps.store.getTrust(id)) !== null), name: input.name, archivedAt: null };
  await deps.store.upsertTrust(trust);
  await deps.audit('organisation.trust.created', {}, { trustId: trust.id, name: trust.name });
  return trust;
}

export async function editTrust(deps: OrganisationDeps, actor: SetupActor, id: string, input: TrustInput): Promise<Trust> {
  const trust = await trustFor(deps.store, actor, id);
  const edited = { ...trust, name: input.name };
  await deps.store.upsertTrust(edited);
  await deps.audit('organisation.trust.edited', {}, { trustId: id, from: { name: trust.name }, to: { name: input.name } });
  return edited;
}

/** A trust is archived once its schools are: archiving a trust never hides a school still at work. */
export async function archiveTrust(deps: OrganisationDeps, actor: SetupActor, id: string, archived: boolean): Promise<Trust> {
  if (actor.role !== 'admin') throw forbidden('only an administrator of the service archives a trust');
  const trust = await trustFor(deps.store, actor, id);
  if (archived) {
    const working = (await deps.store.listSchools({ trustId: id })).filter((school) => !school.archivedAt);
    if (working.length > 0) throw new AppError(409, 'trust_in_use', `archive its schools first: ${working.map((school) => school.name).join(', ')}`);
  }
  const changed = { ...trust, archivedAt: archived ? deps.now() : null };
  await deps.store.upsertTrust(changed);
  await deps.audit(archived ? 'organisation.trust.archived' : 'organisation.trust.restored', {}, { trustId: id });
  return changed;
}

async function checkUrnFree(store: Store, urn: string | undefined, schoolId: string | null): Promise<void> {
  if (urn === undefined) return;
  const holder = (await store.listSchools()).find((school) => school.urn === urn && school.id !== schoolId);
  if (holder) throw new AppError(409, 'urn_taken', `URN ${urn} is already ${holder.name}’s`);
}

const schoolRecord = (id: string, trustId: string, input: SchoolInput): School => ({
  id,
  trustId,
  name: input.name,
  workflowId: input.workflowId,
  localAuthority: input.localAuthority,
  notifyEmails: Object.fromEntries(Object.entries(input.mailboxes).filter(([, address]) => address !== undefined)),
  urn: input.urn ?? null,
  laEstab: input.laEstab ?? null,
  phase: input.phase,
});

/** What changed, field by field, for the audit entry: the names of what moved, not people's data. */
function changes(before: School, after: School): Record<string, { from: unknown; to: unknown }> {
  const fields = ['name', 'workflowId', 'localAuthority', 'urn', 'laEstab', 'phase', 'notifyEmails'] as const;
  return Object.fromEntries(
    fields.filter((field) => JSON.stringify(before[field] ?? null) !== JSON.stringify(after[field] ?? null)).map((field) => [field, { from: before[field] ?? null, to: after[field] ?? null }]),
  );
}

export async function createSchool(deps: OrganisationDeps, actor: SetupActor, trustId: string, input: SchoolInput): Promise<{ school: School; warnings: string[] }> {
  const trust = await trustFor(deps.store, actor, trustId);
  if (trust.archivedAt) throw new AppError(409, 'trust_archived', `${trust.name} is archived: restore it before adding a school`);
  await checkUrnFree(deps.store, input.urn, null);
  const school = schoolRecord(await freeId(input.name, async (id) => (await deps.store.getSchool(id)) !== null), trust.id, input);
  await deps.store.upsertSchool({ ...school, archivedAt: null });
  await deps.audit('organisation.school.created', { schoolId: school.id }, { trustId: trust.id, name: school.name, workflowId: school.workflowId });
  return { school: { ...school, archivedAt: null }, warnings: mailboxWarnings(school) };
}

export async function editSchool(deps: OrganisationDeps, actor: SetupActor, id: string, input: SchoolInput): Promise<{ school: School; warnings: string[] }> {
  const before = await schoolFor(deps.store, actor, id);
  await checkUrnFree(deps.store, input.urn, id);
  const school = { ...schoolRecord(id, before.trustId, input), archivedAt: before.archivedAt ?? null };
  await deps.store.upsertSchool(school);
  await deps.audit('organisation.school.edited', { schoolId: id }, { changes: changes(before, school) });
  return { school, warnings: mailboxWarnings(school) };
}

export async function archiveSchool(deps: OrganisationDeps, actor: SetupActor, id: string, archived: boolean): Promise<School> {
  const school = await schoolFor(deps.store, actor, id);
  const changed = { ...school, archivedAt: archived ? deps.now() : null };
  await deps.store.upsertSchool(changed);
  await deps.audit(archived ? 'organisation.school.archived' : 'organisation.school.restored', { schoolId: id }, {});
  return changed;
}
