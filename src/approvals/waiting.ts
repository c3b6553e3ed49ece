import { canSeeCase, type Access } from '../access/scope.ts';
import { LEGAL_STEP_ROLES, SCHOOL_STAFF_ROLES } from '../access/roles.ts';
import type { IsoDate } from '../domain/types.ts';
import { words } from '../domain/words.ts';
import type { CaseRecord, OutboxEffect, Pupil, Store } from '../store/types.ts';
import { approvalDueDate } from './approvals.ts';
import { schoolMachineFor, type SchoolMachine } from '../cases/case-machines.ts';

/** How many letters and legal steps wait for a decision the person can see: the header's count. */
export async function heldCount(store: Store, access: Access): Promise<number> {
  if (access.caseSchoolIds.length === 0) return 0;
  const held = await store.listEffects({ status: 'held', schoolIds: access.caseSchoolIds });
  // Only an EWO's view is narrower than their schools: the cases referred to them.
  return held.filter((effect) => effect.caseId && (access.referredCaseIds === null || access.referredCaseIds.has(effect.caseId))).length;
}

/** Whether this person can decide it: the school's staff, and the champion for a legal step. */
export function mayDecide(access: Access, record: CaseRecord, effect: OutboxEffect): boolean {
  const staff = access.wholeSchoolIds.has(record.schoolId) && SCHOOL_STAFF_ROLES.includes(access.user.role);
  return staff && (effect.approval?.requires !== 'champion' || LEGAL_STEP_ROLES.includes(access.user.role));
}

/** What the batch view shows at a glance: what, for whom, why (rule and attendance), and by when. */
export function summariseApproval(access: Access, effect: OutboxEffect, record: CaseRecord, schoolMachine: SchoolMachine, pupil: Pupil | null, today: IsoDate) {
  const payload = effect.payload as { template: string; to: string };
  const evidence = (effect.approval?.evidence ?? {}) as { event?: string; rule?: string; attendancePct?: number | null };
  const dueDate = approvalDueDate(effect, schoolMachine);
  return {
    id: effect.id,
    caseId: record.id,
    schoolId: record.schoolId,
    pupil: pupil ? { upn: pupil.upn, name: `${pupil.forename} ${pupil.surname}`, yearGroup: pupil.yearGroup } : { upn: record.upn, name: record.upn, yearGroup: '' },
    state: record.state,
    kind: effect.kind,
    template: payload.template,
    to: payload.to,
    legal: effect.approval?.requires === 'champion',
    what: effect.approval?.reason ?? effect.kind,
    // A timer's rule only repeats its event ("Review due: review due"): say it once.
    why: { event: evidence.event ?? null, rule: evidence.rule && evidence.rule.toLowerCase() !== words(evidence.event ?? '').toLowerCase() ? evidence.rule : null, attendancePct: evidence.attendancePct ?? null },
    heldAt: effect.approval?.heldAt ?? effect.createdAt,
    deferredUntil: effect.approval?.deferredUntil ?? null,
    dueDate,
    overdue: dueDate < today,
    mayDecide: mayDecide(access, record, effect),
  };
}

export type ApprovalSummary = ReturnType<typeof summariseApproval>;

/**
 * What waits for approval in the schools a person can see (optionally one school or one case),
 * oldest first: the held effects in one read, then their cases, schools and pupils a set at a
 * time, never one case at a time.
 */
export async function listWaitingApprovals(store: Store, access: Access, filter: { schoolIds: string[]; caseId?: string }, today: IsoDate): Promise<ApprovalSummary[]> {
  if (filter.schoolIds.length === 0) return [];
  const held = (await store.listEffects({ status: 'held', schoolIds: filter.schoolIds, ...(filter.caseId ? { caseId: filter.caseId } : {}) })).filter((e) => e.caseId);
  if (held.length === 0) return [];
  const caseIds = [...new Set(held.map((e) => e.caseId!))];
  // With the schools named, each school's cases are read where they are (docs/scaling.md).
  const { cases } = await store.listCases({ schoolIds: filter.schoolIds, caseIds, limit: caseIds.length });
  const records = new Map(cases.filter((record) => canSeeCase(access, record)).map((record) => [record.id, record]));
  const bySchool = new Map<string, Set<string>>();
  for (const record of records.values()) bySchool.set(record.schoolId, (bySchool.get(record.schoolId) ?? new Set()).add(record.upn));
  const machines = new Map<string, SchoolMachine>();
  const pupils = new Map<string, Pupil>();
  for (const [schoolId, upns] of bySchool) {
    machines.set(schoolId, await schoolMachineFor(store, (await store.getSchool(schoolId))!));
    for (const pupil of await store.listPupils(schoolId, [...upns])) pupils.set(`${schoolId}/${pupil.upn}`, pupil);
  }
  return held.flatMap((effect) => {
    const record = records.get(effect.caseId!);
    if (!record) return [];
    return [summariseApproval(access, effect, record, machines.get(record.schoolId)!, pupils.get(`${record.schoolId}/${record.upn}`) ?? null, today)];
  });
}

/** How long a withdrawn letter stays listed on the approvals page. */
const WITHDRAWN_SHOWN_MS = 14 * 86_400_000;
export const WITHDRAWN_PREFIX = 'withdrawn unsent';

/**
 * Letters that were waiting for approval and were withdrawn because their case moved to another
 * stage first, in the last fortnight, newest first: the approver sees why one they expected is gone.
 */
export async function listWithdrawnLetters(store: Store, access: Access, schoolIds: string[], now: Date) {
  if (schoolIds.length === 0) return [];
  const withdrawn = (await store.listEffects({ status: 'cancelled', schoolIds }))
    .filter((e) => e.caseId && e.approval && e.lastError?.startsWith(WITHDRAWN_PREFIX) && e.completedAt && now.getTime() - e.completedAt.getTime() <= WITHDRAWN_SHOWN_MS)
    .sort((a, b) => b.completedAt!.getTime() - a.completedAt!.getTime());
  if (withdrawn.length === 0) return [];
  const { cases } = await store.listCases({ schoolIds, caseIds: [...new Set(withdrawn.map((e) => e.caseId!))], limit: withdrawn.length });
  const records = new Map(cases.filter((record) => canSeeCase(access, record)).map((record) => [record.id, record]));
  return withdrawn.flatMap((effect) => {
    const record = records.get(effect.caseId!);
    if (!record) return [];
    return [{ id: effect.id, caseId: record.id, upn: record.upn, template: (effect.payload as { template: string }).template, what: effect.approval!.reason, withdrawnAt: effect.completedAt!, why: effect.lastError! }];
  });
}
