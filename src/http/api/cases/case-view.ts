import { lastLetterSent } from '../../../letters/sent-letters.ts';
import { computeMetrics } from '../../../domain/metrics.ts';
import type { CaseContext } from '../../../domain/case-types.ts';
import { caseMachine, schoolMachineFor } from '../../../cases/case-machines.ts';
import type { Access } from '../../../access/scope.ts';
import type { CaseRecord, MessageSummary, Pupil, Store, TimelineEntry } from '../../../store/types.ts';
import { todayOf, type ApiDeps } from '../deps.ts';
import { allowedActions } from './allowed-actions.ts';

export const caseSummary = (record: CaseRecord) => ({
  id: record.id,
  schoolId: record.schoolId,
  upn: record.upn,
  workflowId: record.workflowId,
  state: record.state,
  status: record.status,
  version: record.version,
  openedAt: record.openedAt,
  updatedAt: record.updatedAt,
});

export const pupilSummary = (pupil: Pupil) => ({
  upn: pupil.upn,
  forename: pupil.forename,
  surname: pupil.surname,
  dateOfBirth: pupil.dateOfBirth,
  yearGroup: pupil.yearGroup,
  vulnerability: pupil.vulnerability,
  onRoll: pupil.onRoll,
});

/** A letter or notification without its stored copies (the .eml and the PDF are served on their own). */
const letterSummary = (message: MessageSummary) => ({
  id: message.id,
  template: message.template,
  kind: message.kind,
  recipientRole: message.recipientRole,
  recipientName: message.recipientName,
  subject: message.subject,
  status: message.status,
  createdAt: message.createdAt,
  sentAt: message.sentAt,
  hasPdf: message.hasPdf,
});

/** A page of a case's letters at a time: a case has tens, but none is ever left out. */
const LETTERS_PAGE = 200;

/** The case's letters and emails, oldest first, read without their bodies (a list never needs them). */
async function caseLetters(store: Store, caseId: string): Promise<MessageSummary[]> {
  const letters: MessageSummary[] = [];
  for (let offset = 0; ; offset += LETTERS_PAGE) {
    const { messages } = await store.listMessagePage({ schoolIds: [], caseIds: [caseId], limit: LETTERS_PAGE, offset });
    letters.push(...messages);
    if (messages.length < LETTERS_PAGE) break;
  }
  return letters.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** What a case's pages list beside it: its school, pupil, tasks and letters (the timeline page needs no more). */
async function caseRecords(store: Store, record: CaseRecord) {
  const [school, pupil, tasks, letters] = await Promise.all([
    store.getSchool(record.schoolId),
    store.getPupil(record.schoolId, record.upn),
    store.listTasks({ caseId: record.id }),
    caseLetters(store, record.id),
  ]);
  return { school: school!, pupil, tasks, letters };
}

/** The case with what its timeline lists beside it, as caseDetail gives them, without the metrics or the actions allowed (which run the machine). */
export async function caseOutline(store: Store, record: CaseRecord) {
  const { school, pupil, tasks, letters } = await caseRecords(store, record);
  return { case: caseSummary(record), school: { id: school.id, name: school.name }, pupil: pupil && pupilSummary(pupil), tasks, letters: letters.map(letterSummary) };
}

/** Everything the case-review screen shows, as of today: the pupil, their metrics, the state, what can be done next. */
export async function caseDetail(deps: ApiDeps, access: Access, record: CaseRecord) {
  const { store } = deps;
  const { school, pupil, tasks, letters } = await caseRecords(store, record);
  const schoolMachine = await schoolMachineFor(store, school);
  const today = todayOf(deps);
  const from = schoolMachine.calendar.academicYearStart(today);
  // The rolling 10-week window of the national threshold can reach back before the academic year.
  const earliest = [from, schoolMachine.calendar.rollingWindowStart(today, 10)].sort()[0];
  const marks = await store.listMarks(record.schoolId, record.upn, { from: earliest, to: today });
  const context = (record.snapshot as { context: CaseContext }).context;
  const { timers: _timers, timerSeq: _seq, ...state } = context;
  return {
    case: caseSummary(record),
    school: { id: school.id, name: school.name },
    pupil: pupil && pupilSummary(pupil),
    metrics: computeMetrics({ marks, calendar: schoolMachine.calendar, asOf: today, from, bands: caseMachine(schoolMachine, record).workflow.policy.bands }),
    context: state,
    // The case's "last letter" is the one that went (the messages' record), not the stage it came from.
    lastLetter: lastLetterSent(letters, context),
    allowedActions: allowedActions(schoolMachine, record, today, access, new Set(tasks.filter((task) => task.status === 'open').map((task) => task.kind))),
    tasks,
    letters: letters.map(letterSummary),
  };
}

/** Timeline entries with their author's name beside the id (a note shows who wrote it); null for the service's own actors. */
export async function withActorNames(store: Store, entries: TimelineEntry[]) {
  const names = new Map<string, string | null>();
  for (const actor of new Set(entries.map((entry) => entry.actor))) {
    if (!actor || actor.startsWith('system:')) continue;
    names.set(actor, (await store.getUser(actor))?.name ?? null);
  }
  return entries.map((entry) => ({ ...entry, actorName: (entry.actor && names.get(entry.actor)) ?? null }));
}
