import type { Role } from '../store/types.ts';
import { NAMES } from '../domain/words.ts';

export const ROLES = ['pastoral', 'champion', 'ewo', 'trustLead', 'trustAdmin', 'admin'] as const satisfies readonly Role[];

/** Each role as staff call it, from the one map of names to words. */
export const ROLE_NAMES = Object.fromEntries(ROLES.map((role) => [role, NAMES[role] ?? role])) as Record<Role, string>;

/** Roles that may record staff actions on the cases they can see (the trust lead only looks). */
export const ACTING_ROLES: readonly Role[] = ['pastoral', 'champion', 'ewo', 'admin'];

/** Legal steps are the school's decision to take: the senior attendance champion approves them. */
export const LEGAL_STEP_ROLES: readonly Role[] = ['champion', 'admin'];

/** The school's casework staff: they decide held letters and export a case's evidence (a trust administrator does neither). */
export const SCHOOL_STAFF_ROLES: readonly Role[] = ['pastoral', 'champion', 'admin'];

/** Loading the register (pupils, contacts, marks): the school's staff, and whoever sets the trust up. */
export const REGISTER_ROLES: readonly Role[] = [...SCHOOL_STAFF_ROLES, 'trustAdmin'];

/**
 * Closing a case (withdrawing it) is the school's decision: its staff, never an EWO, who works
 * the cases referred to them but does not own them. At a legal stage it is the champion's.
 */
export const CLOSING_ROLES: readonly Role[] = ['pastoral', 'champion', 'admin'];

/** A school's term dates and closures move every school-day deadline of its cases: the champion sets them. */
export const CALENDAR_EDIT_ROLES: readonly Role[] = ['champion', 'trustAdmin', 'admin'];

/**
 * Setting the organisation up (its schools, their mailboxes and workflows, staff accounts): the
 * service's administrators, and a trust administrator (often the school business manager) for
 * their own trust's schools.
 */
export const SETUP_ROLES: readonly Role[] = ['trustAdmin', 'admin'];

/** A school's letterhead, signatory and wording of its letters are its own: the champion sets them, or whoever sets the trust up. */
export const LETTER_EDIT_ROLES: readonly Role[] = ['champion', 'trustAdmin', 'admin'];

/** Giving a case to a named member of staff: the school's own staff (and an admin), who work its cases. */
export const ASSIGNING_ROLES: readonly Role[] = ['pastoral', 'champion', 'admin'];

/** Who a case can be given to: the school's pastoral leaders and champions. */
export const ASSIGNABLE_ROLES: readonly Role[] = ['pastoral', 'champion'];

/** A school's policy (its thresholds, letters, timings) and moving open cases between its versions: the senior attendance champion, or an admin. */
export const POLICY_EDIT_ROLES: readonly Role[] = ['champion', 'admin'];
