import { randomUUID } from 'node:crypto';
import type { CaseEvent } from '../domain/case-types.ts';
import type { SchoolCalendar } from '../domain/calendar.ts';
import { type Policy } from '../domain/policy.ts';
import { addDuration } from '../domain/policy-durations.ts';
import type { IsoDate } from '../domain/types.ts';
import { contactKey } from '../letters/letter-data.ts';
import { usableEmail } from '../letters/recipients.ts';
import type { CaseRecord, Contact, NewTask, StoredMark, Store, Task } from '../store/types.ts';

/** DfE: an `N` (reason not yet established) must be resolved within 5 school days. */
const N_CODE_SCHOOL_DAYS = 5;

interface PupilInSchool {
  schoolId: string;
  upn: string;
  name: string;
}

/** `N` marks still on the register 5 school days on: one task per pupil and first such session. */
export function unresolvedNCodeTask(pupil: PupilInSchool, marks: StoredMark[], calendar: SchoolCalendar, asOf: IsoDate, openCase: CaseRecord | null, at: Date): NewTask | null {
  const cutoff = calendar.addSchoolDays(asOf, -N_CODE_SCHOOL_DAYS);
  const stale = marks.filter((mark) => mark.code.toUpperCase() === 'N' && mark.date <= cutoff);
  const first = stale[0];
  if (!first) return null;
  return {
    id: `hygiene:n-code:${pupil.schoolId}:${pupil.upn}:${first.date}:${first.session}`,
    caseId: openCase?.id ?? null,
    schoolId: pupil.schoolId,
    kind: 'unresolved-n-code',
    title: `${pupil.name}: ${stale.length} session(s) still marked N (reason not yet established) after ${N_CODE_SCHOOL_DAYS} school days, from ${first.date} ${first.session}: establish the reason and correct the register`,
    dueDate: asOf,
    createdAt: at,
  };
}

/**
 * Before any letter: a parent or carer with parental responsibility whose email is missing or
 * unusable (letters are then posted, or held while there is no address either), or no one with
 * parental responsibility at all.
 */
export function contactTasks(pupil: PupilInSchool, contacts: Contact[], openCase: CaseRecord, asOf: IsoDate, at: Date): NewTask[] {
  const base = { caseId: openCase.id, schoolId: pupil.schoolId, kind: 'contact-details', dueDate: asOf, createdAt: at };
  const responsible = contacts.filter((contact) => contact.parentalResponsibility);
  if (responsible.length === 0) {
    return [{ ...base, id: `hygiene:no-parental-responsibility:${openCase.id}`, title: `${pupil.name}: no parent or carer with parental responsibility is recorded, so no letter can be addressed: update the contacts` }];
  }
  return responsible
    .filter((contact) => !usableEmail(contact.email))
    .map((contact) => ({
      ...base,
      id: `hygiene:contact:${openCase.id}:${contactKey(contact)}`,
      title: contact.address
        ? `${pupil.name}: no usable email for ${contact.name} (${contact.relationship}); letters will be posted to ${contact.address.postcode}: check their address and update their contact details`
        : `${pupil.name}: no usable email or postal address for ${contact.name} (${contact.relationship}), so no letter can reach them: add their address to their contact details`,
    }));
}

/** The statutory duties an evaluation event sets off, as tasks with a due date. */
export function dutyTask(event: CaseEvent, record: CaseRecord, policy: Policy, calendar: SchoolCalendar, at: Date): NewTask | null {
  const base = { caseId: record.id, schoolId: record.schoolId, createdAt: at };
  if (event.type === 'SICKNESS_RETURN_DUE') {
    return {
      ...base,
      id: `duty:sickness-return:${record.id}:${event.at}`,
      kind: 'sickness-return',
      title: `Illness return to the local authority: ${policy.sicknessReturn.schoolDays} or more school days of illness absence`,
      dueDate: addDuration(event.at, policy.tasksDueIn, calendar),
    };
  }
  if (event.type === 'CHILD_MISSING_EDUCATION' && policy.childMissingEducation) {
    return {
      ...base,
      id: `duty:child-missing-education:${record.id}:${event.at}`,
      kind: 'child-missing-education',
      // A child missing education is a safeguarding matter: the referral is due the day it is found.
      title: `Child missing education referral: ${policy.childMissingEducation.schoolDays} school days absent without contact from the family`,
      dueDate: event.at,
    };
  }
  return null;
}

/** Completes a task and records who did it, and how, on its case's timeline. */
export async function completeTask(store: Store, id: string, by: string, at: Date, note?: string): Promise<Task | null> {
  const task = await store.closeTask(id, { status: 'done', by, at, ...(note ? { note } : {}) });
  if (task?.caseId) {
    await store.appendTimeline(task.caseId, [
      { id: randomUUID(), at, actor: by, type: 'task.done', from: null, to: null, evidence: { taskId: task.id, kind: task.kind, title: task.title, note: note ?? null } },
    ]);
  }
  return task;
}
