// Who may see and do what: the one place the API (and any page) asks. A case, pupil or school the
// caller may not see answers 404, so its existence is not given away; a thing they may see but
// not change answers 403.
import { AppError } from '../errors.ts';
import type { CaseRecord, Role, School, Store, User } from '../store/types.ts';
import { ACTING_ROLES, CLOSING_ROLES, LEGAL_STEP_ROLES, REGISTER_ROLES, SCHOOL_STAFF_ROLES } from './roles.ts';
import { words } from '../domain/words.ts';

/** A case counts as referred to the EWO once its workflow has notified the EWO or the LA. */
export const REFERRAL_RECIPIENTS = ['ewo', 'la'];

export interface Access {
  user: User;
  /** Schools some of whose cases the user may see. */
  caseSchoolIds: string[];
  /** For an EWO, the referred cases of those schools; null when every case of them is visible. */
  referredCaseIds: ReadonlySet<string> | null;
  /** Schools the user may see whole: every pupil, school metrics. */
  wholeSchoolIds: ReadonlySet<string>;
}

function schoolsInScope(user: User, schools: School[]): School[] {
  switch (user.role) {
    case 'admin':
      return schools;
    case 'trustLead':
    case 'trustAdmin':
      return schools.filter((school) => school.trustId === user.trustId);
    case 'ewo':
      return schools.filter((school) => school.localAuthority === user.localAuthority);
    case 'pastoral':
    case 'champion':
      return schools.filter((school) => school.id === user.schoolId);
  }
}

export async function accessFor(store: Store, user: User): Promise<Access> {
  const caseSchoolIds = schoolsInScope(user, await store.listSchools()).map((school) => school.id);
  const ewo = user.role === 'ewo';
  const referredCaseIds = ewo
    ? new Set(caseSchoolIds.length === 0 ? [] : await store.listNotifiedCaseIds({ schoolIds: caseSchoolIds, recipients: REFERRAL_RECIPIENTS }))
    : null;
  return { user, caseSchoolIds, referredCaseIds, wholeSchoolIds: new Set(ewo ? [] : caseSchoolIds) };
}

export const notFound = (what: string) => new AppError(404, 'not_found', `no ${what}`);
const forbidden = (why: string) => new AppError(403, 'forbidden', why);
const hasRole = (user: User, roles: readonly Role[]) => roles.includes(user.role);

export function canSeeCase(access: Access, record: Pick<CaseRecord, 'id' | 'schoolId'>): boolean {
  return access.caseSchoolIds.includes(record.schoolId) && (access.referredCaseIds === null || access.referredCaseIds.has(record.id));
}

/** The case, if the user may see it; otherwise the same 404 as a case that does not exist. */
export function visibleCase(access: Access, record: CaseRecord | null, id: string): CaseRecord {
  if (!record || !canSeeCase(access, record)) throw notFound(`case '${id}'`);
  return record;
}

export const mayAct = (access: Access) => hasRole(access.user, ACTING_ROLES);
export const mayTakeLegalSteps = (access: Access) => hasRole(access.user, LEGAL_STEP_ROLES);

export const mayClose = (access: Access) => hasRole(access.user, CLOSING_ROLES);

/**
 * A staff action on a visible case: the trust lead only reads, legal steps need the champion, and
 * closing a case (withdrawing it) needs the school's staff.
 */
export function requireAction(access: Access, legal: boolean, closes = false): void {
  if (!mayAct(access)) throw forbidden('your role can read cases but not act on them');
  if (legal && !mayTakeLegalSteps(access)) throw forbidden('a legal step needs the senior attendance champion');
  if (closes && !mayClose(access)) throw forbidden('only the school’s staff may close a case');
}

export function requireWholeSchool(access: Access, schoolId: string): void {
  if (!access.wholeSchoolIds.has(schoolId)) throw notFound(`school '${schoolId}'`);
}

/** Held letters and evidence: the school's own casework staff (or an admin). */
export function requireSchoolStaff(access: Access, schoolId: string): void {
  requireWholeSchool(access, schoolId);
  if (!hasRole(access.user, SCHOOL_STAFF_ROLES)) throw forbidden('only the school’s pastoral staff and attendance champion may do this');
}

/** Register imports: the school's own staff, its trust administrator (or an admin). */
export function requireRegisterStaff(access: Access, schoolId: string): void {
  requireWholeSchool(access, schoolId);
  if (!hasRole(access.user, REGISTER_ROLES)) throw forbidden('only the school’s staff and trust administrators load its register');
}

export function requireRole(access: Access, roles: readonly Role[]): void {
  if (!hasRole(access.user, roles)) throw forbidden(`this is for the ${roles.map((role) => words(role).toLowerCase()).join(' or the ')}`);
}
