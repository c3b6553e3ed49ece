// Collections of the MongoDB adapter, their indexes, and the mapping of their documents to the
// contract's plain objects. Register dates stay 'YYYY-MM-DD' strings (they sort and compare as
// dates); instants are Dates.
import type { Connection } from 'mongoose';
import { amendmentSchema, contactSchema, markSchema, pupilSchema, schoolSchema, trustSchema } from './models-register.ts';
import { caseSchema, effectSchema, taskSchema, timelineSchema, timerSchema } from './models-cases.ts';
import { schoolCalendarSchema } from './models-calendar.ts';
import { registerMappingSchema } from './models-register-feed.ts';
import { policyDraftSchema, policyVersionSchema } from './models-policy.ts';
import { letterheadSchema, letterOverrideSchema } from './models-letters.ts';
import { caseAssignmentSchema, staffIdentitySchema, staffSignInSchema, staffTokenSchema } from './models-staff.ts';
import { auditSchema, authSessionSchema, loginFailureSchema, messageSchema, settingSchema, userSchema } from './models-accounts.ts';

export * from './models-base.ts';
export * from './models-register.ts';
export * from './models-cases.ts';
export * from './models-accounts.ts';
export * from './models-calendar.ts';
export * from './models-register-feed.ts';
export * from './models-staff.ts';
export * from './models-policy.ts';
export * from './models-letters.ts';

export function createModels(connection: Connection) {
  return {
    trusts: connection.model('Trust', trustSchema, 'trusts'),
    schools: connection.model('School', schoolSchema, 'schools'),
    pupils: connection.model('Pupil', pupilSchema, 'pupils'),
    contacts: connection.model('Contact', contactSchema, 'contacts'),
    marks: connection.model('Mark', markSchema, 'marks'),
    amendments: connection.model('MarkAmendment', amendmentSchema, 'mark_amendments'),
    cases: connection.model('Case', caseSchema, 'cases'),
    timeline: connection.model('TimelineEntry', timelineSchema, 'case_timeline'),
    outbox: connection.model('OutboxEffect', effectSchema, 'outbox'),
    timers: connection.model('CaseTimer', timerSchema, 'case_timers'),
    tasks: connection.model('Task', taskSchema, 'tasks'),
    settings: connection.model('Setting', settingSchema, 'settings'),
    messages: connection.model('Message', messageSchema, 'messages'),
    users: connection.model('User', userSchema, 'users'),
    authSessions: connection.model('AuthSession', authSessionSchema, 'auth_sessions'),
    loginFailures: connection.model('LoginFailure', loginFailureSchema, 'login_failures'),
    audit: connection.model('AuditEntry', auditSchema, 'audit_log'),
    schoolCalendars: connection.model('SchoolCalendar', schoolCalendarSchema, 'school_calendars'),
    registerMappings: connection.model('RegisterMapping', registerMappingSchema, 'register_mappings'),
    staffTokens: connection.model('StaffToken', staffTokenSchema, 'staff_tokens'),
    staffIdentities: connection.model('StaffIdentity', staffIdentitySchema, 'staff_identities'),
    caseAssignments: connection.model('CaseAssignment', caseAssignmentSchema, 'case_assignments'),
    staffSignIns: connection.model('StaffSignIn', staffSignInSchema, 'staff_sign_ins'),
    policyDrafts: connection.model('PolicyDraft', policyDraftSchema, 'school_policy_drafts'),
    policyVersions: connection.model('PolicyVersion', policyVersionSchema, 'school_policy_versions'),
    letterheads: connection.model('SchoolLetterhead', letterheadSchema, 'school_letterheads'),
    letterOverrides: connection.model('LetterOverride', letterOverrideSchema, 'letter_overrides'),
  };
}

export type Models = ReturnType<typeof createModels>;
