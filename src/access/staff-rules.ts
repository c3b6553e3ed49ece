// Who may manage whose staff account: the one rule the staff pages, API and CLI ask.
// An administrator manages anyone. A trust administrator manages the accounts of their own trust's
// schools and of their trust (pastoral leaders, champions, trust leads, trust administrators),
// never an administrator's nor an EWO's (an EWO works for the local authority, not the trust).
import type { Role, School, User } from '../store/types.ts';

/** Where an account's work lies: its school, its trust or its local authority, by role. */
export interface StaffScope {
  role: Role;
  schoolId: string | null;
  trustId: string | null;
  localAuthority: string | null;
}

/** The roles a trust administrator may give. */
export const TRUST_MANAGED_ROLES: readonly Role[] = ['pastoral', 'champion', 'trustLead', 'trustAdmin'];

/** Which scope each role needs: a school, a trust, a local authority, or none. */
export function scopeKind(role: Role): 'school' | 'trust' | 'localAuthority' | 'none' {
  switch (role) {
    case 'pastoral':
    case 'champion':
      return 'school';
    case 'trustLead':
    case 'trustAdmin':
      return 'trust';
    case 'ewo':
      return 'localAuthority';
    case 'admin':
      return 'none';
  }
}

/** The scope with only the field its role uses kept; an error message when that field is missing. */
export function normaliseScope(scope: StaffScope): StaffScope | string {
  const kind = scopeKind(scope.role);
  const kept: StaffScope = {
    role: scope.role,
    schoolId: kind === 'school' ? scope.schoolId : null,
    trustId: kind === 'trust' ? scope.trustId : null,
    localAuthority: kind === 'localAuthority' ? scope.localAuthority : null,
  };
  if (kind === 'school' && !kept.schoolId) return 'choose the school this person works in';
  if (kind === 'trust' && !kept.trustId) return 'choose the trust this person works across';
  if (kind === 'localAuthority' && !kept.localAuthority) return 'choose the local authority this person works for';
  return kept;
}

/** The trust an account's work belongs to, if any (a school account's is its school's trust). */
export function trustOf(scope: StaffScope, schools: readonly School[]): string | null {
  switch (scopeKind(scope.role)) {
    case 'school':
      return schools.find((school) => school.id === scope.schoolId)?.trustId ?? null;
    case 'trust':
      return scope.trustId;
    default:
      return null;
  }
}

/**
 * Whether `manager` may see and change an account with this scope (or give an account this
 * scope): 'yes'; 'hidden' when the account lies outside what the manager sees (answered as not
 * found); 'role' when the manager sees it but may not give or change that role (403).
 */
export function manageVerdict(manager: Pick<User, 'role' | 'trustId'>, scope: StaffScope, schools: readonly School[]): 'yes' | 'hidden' | 'role' {
  if (manager.role === 'admin') return 'yes';
  if (manager.role !== 'trustAdmin' || manager.trustId === null) return 'hidden';
  if (!TRUST_MANAGED_ROLES.includes(scope.role)) return 'role';
  return trustOf(scope, schools) === manager.trustId ? 'yes' : 'hidden';
}
