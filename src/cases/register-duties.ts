import { randomUUID } from 'node:crypto';
import type { CaseEvent } from '../domain/case-types.ts';
import type { SchoolCalendar } from '../domain/calendar.ts';
import { type Policy } from '../domain/policy.ts';
import { addDuration } from '../domain/policy-durations.ts';
import { longDate } from '../domain/words.ts';
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

/** `N` marks still on the register 5 school days on: the pupil's line of the school's register chores. */
export function unresolvedNCodeTask(pupil: PupilInSchool, marks: StoredMark[], calendar: SchoolCalendar, asOf: IsoDate, openCase: CaseRecord | null, at: Date): NewTask | null {
  const cutoff = calendar.addSchoolDays(asOf, -N_CODE_SCHOOL_DAYS);
  let first: StoredMark | undefined;
  let stale = 0;
  for (const mark of marks)
    if ((mark.code === 'N' || mark.code === 'n') && mark.date <= cutoff) {
      first ??= mark;
      stale += 1;
    }
  if (!first) return null;
  return {
    id: `hygiene:n-code:${pupil.schoolId}:${pupil.upn}:${first.date}:${first.session}`,
    caseId: openCase?.id ?? null,
    schoolId: pupil.schoolId,
    kind: N_CODE_KIND,
    title: `${pupil.name} (${stale === 1 ? 'one session' : `${stale} sessions`} from ${longDate(first.date)} ${first.session === 'AM' ? 'morning' : 'afternoon'})`,
    dueDate: asOf,
    createdAt: at,
  };
}

const N_CODE_KIND = 'unresolved-n-code';
/** The school's register chores of a day: one task, whatever the number of pupils. */
export const REGISTER_CHORES_KIND = 'register-chores';
export const registerChoresId = (schoolId: string, asOf: IsoDate) => `chores:register:${schoolId}:${asOf}`;

/** A pupil's line of the register chores (unresolvedNCodeTask): written as one task for the school, not one each. */
export const isRegisterChore = (task: NewTask) => task.kind === N_CODE_KIND;

/**
 * The day's register chores as one task for the school listing the pupils, and yesterday's list
 * closed: done when nothing is left to correct, otherwise replaced by today's. Returns whether a
 * task was created.
 */
export async function writeRegisterChores(store: Store, schoolId: string, asOf: IsoDate, lines: NewTask[], at: Date): Promise<boolean> {
  const id = registerChoresId(schoolId, asOf);
  const created =
    lines.length > 0 &&
    (await store.createTask({
      id,
      caseId: null,
      schoolId,
      kind: REGISTER_CHORES_KIND,
      title: `Register: ${lines.length === 1 ? 'one pupil has' : `${lines.length} pupils have`} sessions still marked N (reason not yet established) after ${N_CODE_SCHOOL_DAYS} school days: establish the reasons and correct the register for ${lines
        .map((line) => line.title)
        .sort()
        .join('; ')}`,
      dueDate: asOf,
      createdAt: at,
    }));
  for (const earlier of await store.listTasks({ schoolIds: [schoolId], status: 'open' })) {
    if (earlier.id === id || (earlier.kind !== REGISTER_CHORES_KIND && earlier.kind !== N_CODE_KIND) || earlier.dueDate > asOf) continue;
    const outcome = lines.length === 0 ? { status: 'done' as const, note: 'every N code on it has been resolved on the register' } : { status: 'cancelled' as const, note: `replaced by the register chores of ${longDate(asOf)}` };
    await store.closeTask(earlier.id, { ...outcome, by: 'system:evaluator', at });
  }
  return created;
}

/**
 * The one task per case and contact whose details stop letters reaching them. The id says what it
 * is about, so the evaluation and every letter that finds the same gap make one task between them;
 * it closes itself when a contacts import fills the gap (closeFixedContactTasks).
 */
export const contactTaskId = (caseId: string, key: string, reachable: boolean) => `contact:${caseId}:${reachable ? 'no-email' : 'unreachable'}:${key}`;
const noParentalResponsibilityId = (caseId: string) => `hygiene:no-parental-responsibility:${caseId}`;

/** The contact-details task for one addressee: no usable email (letters posted), or no address at all. */
export function contactTask(
  pupilName: string,
  contact: { key: string; name: string; relationship: string; address?: Contact['address'] },
  where: { caseId: string; schoolId: string },
  asOf: IsoDate,
  at: Date,
): NewTask {
  const reachable = Boolean(contact.address);
  return {
    id: contactTaskId(where.caseId, contact.key, reachable),
    caseId: where.caseId,
    schoolId: where.schoolId,
    kind: 'contact-details',
    title: contact.address
      ? `${pupilName}: no usable email for ${contact.name} (${contact.relationship}); letters to them are printed to be posted to ${contact.address.postcode}: post them, check the address, and update their contact details`
      : `${pupilName}: no usable email or postal address for ${contact.name} (${contact.relationship}), so no letter is made for them: add their address to their contact details, then write to them with what they missed`,
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
  const where = { caseId: openCase.id, schoolId: pupil.schoolId };
  const responsible = contacts.filter((contact) => contact.parentalResponsibility);
  if (responsible.length === 0) {
    return [{ ...where, kind: 'contact-details', dueDate: asOf, createdAt: at, id: noParentalResponsibilityId(openCase.id), title: `${pupil.name}: no parent or carer with parental responsibility is recorded, so no letter can be addressed: update the contacts` }];
  }
  return responsible
    .filter((contact) => !usableEmail(contact.email))
    .map((contact) => contactTask(pupil.name, { ...contact, key: contactKey(contact) }, where, asOf, at));
}

/**
 * After a contacts import: each open contact-details task whose gap the import filled is done (an
 * email for a "no email" task; an email or a postal address for an "unreachable" one; someone with
 * parental responsibility). Returns how many closed.
 */
export async function closeFixedContactTasks(store: Store, schoolId: string, by: string, at: Date): Promise<number> {
  const open = (await store.listTasks({ schoolIds: [schoolId], status: 'open' })).filter((task) => task.kind === 'contact-details' && task.caseId);
  if (open.length === 0) return 0;
  const contacts = await store.listContacts(schoolId);
  let closed = 0;
  for (const task of open) {
    const record = await store.getCase(task.caseId!);
    if (!record) continue;
    const theirs = contacts.filter((contact) => contact.upn === record.upn);
    const key = task.id.split(/[:/]/).at(-1);
    const contact = theirs.find((candidate) => contactKey(candidate) === key);
    const fixed =
      task.id === noParentalResponsibilityId(record.id)
        ? theirs.some((candidate) => candidate.parentalResponsibility)
        : Boolean(contact && (usableEmail(contact.email) || (task.id.includes(':unreachable:') && contact.address)));
    if (!fixed) continue;
    if (await completeTask(store, task.id, by, at, 'the contacts import filled in what was missing')) closed += 1;
  }
  return closed;
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
    await store.appendTimeline(task.schoolId, task.caseId, [
      { id: randomUUID(), at, actor: by, type: 'task.done', from: null, to: null, evidence: { taskId: task.id, kind: task.kind, title: task.title, note: note ?? null } },
    ]);
  }
  return task;
}
