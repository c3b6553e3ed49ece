// Recording a stage's attendance meeting as school staff do: the chart gets its MEETING_HELD (or,
// with nobody for the family there, PARENT_DID_NOT_ATTEND) dated the day of the meeting; the
// record, with the plan and its actions, rides on that event's timeline entry; each action becomes
// a task for its owner in the same write; and the meeting task it answers is closed.
import type { Clock } from '../clock.ts';
import type { CaseContext } from '../domain/case-types.ts';
import type { MeetingRecord } from '../domain/casework-records.ts';
import type { IsoDate } from '../domain/types.ts';
import { compareDates } from '../domain/dates.ts';
import { londonDate } from '../domain/london-time.ts';
import { AppError } from '../errors.ts';
import { longDate } from '../domain/words.ts';
import type { CaseRecord, NewTask, Store } from '../store/types.ts';
import type { CaseService, TransitionOutcome } from './case-service.ts';
import { transition } from 'xstate';
import { stateName } from '../../machines/workflow.ts';
import { acceptsEvent, caseMachine, snapshotOf, type SchoolMachine } from './case-machines.ts';

export interface MeetingInput {
  date: IsoDate;
  attendees: string;
  parentPresent: boolean;
  agreed: string;
  actions: { what: string; owner: string; due: IsoDate }[];
  outcome: string;
}

/** Open tasks a recorded meeting answers: inviting to the meeting and, when a plan was agreed, agreeing one. */
const MEETING_TASK_KINDS = new Set(['meeting']);
const PLAN_TASK_KINDS = new Set(['actionPlan']);

export const MEETING_ACTION_KIND = 'meetingAction';

function refuse(problems: { field: string; message: string }[]): never {
  throw new AppError(400, 'invalid_request', problems.map((p) => `${p.field}: ${p.message}`).join('; '), { problems: problems.map((p) => ({ in: 'body', ...p })) });
}

/** The stage's meeting as the policy names it, when the case is at a stage that has one. */
export function stageMeetingName(schoolMachine: SchoolMachine, record: CaseRecord): string | null {
  const stage = (record.snapshot as { context: CaseContext }).context.stage;
  return caseMachine(schoolMachine, record).workflow.policy.stages.find((candidate) => candidate.id === stage)?.meeting?.name ?? null;
}

/** The state a missed meeting takes the case to under its policy (its own state when the policy keeps it there); null if there is no meeting to miss. */
export function afterMissedMeeting(schoolMachine: SchoolMachine, record: CaseRecord, today: IsoDate): string | null {
  const snapshot = snapshotOf(schoolMachine, record);
  const [next] = transition(caseMachine(schoolMachine, record).machine, snapshot, { type: 'PARENT_DID_NOT_ATTEND', at: today });
  return next === snapshot || next.status === 'error' ? null : stateName(next.value);
}

/**
 * Whether the stage's meeting is recorded already: the last meeting is of this stage and no
 * meeting task is open (entering the stage again sets a new one, and the meeting is due again).
 */
export function meetingRecorded(record: CaseRecord, openTaskKinds: ReadonlySet<string>): boolean {
  const { stage, lastMeeting } = (record.snapshot as { context: CaseContext }).context;
  return lastMeeting !== null && lastMeeting.stage === stage && ![...MEETING_TASK_KINDS].some((kind) => openTaskKinds.has(kind));
}

/**
 * Checks what a schema cannot (the date against today and the case, the owners against the
 * school's staff) and writes it all: a refused input is a 400 naming each field, and nothing is written.
 */
export async function recordMeeting(
  deps: { store: Store; cases: CaseService; clock: Clock },
  schoolMachine: SchoolMachine,
  record: CaseRecord,
  input: MeetingInput,
  options: { actor: string; expectedVersion: number; today: IsoDate },
): Promise<{ outcome: TransitionOutcome; meeting: MeetingRecord; tasksClosed: string[]; tasksSet: string[] }> {
  const { store, cases, clock } = deps;
  const context = (record.snapshot as { context: CaseContext }).context;
  const openedOn = context.openedOn ?? londonDate(record.openedAt);
  const problems: { field: string; message: string }[] = [];
  if (compareDates(input.date, options.today) > 0) problems.push({ field: 'date', message: `the meeting cannot be in the future: today is ${longDate(options.today)}` });
  if (compareDates(input.date, openedOn) < 0) problems.push({ field: 'date', message: `the meeting cannot be before the case opened on ${longDate(openedOn)}` });
  const staff = new Map((await store.listUsers({ schoolId: record.schoolId, active: true })).map((user) => [user.id, user.name]));
  input.actions.forEach((action, i) => {
    if (!staff.has(action.owner)) problems.push({ field: `actions.${i}.owner`, message: 'choose one of the school’s active staff to do it' });
    if (compareDates(action.due, input.date) < 0) problems.push({ field: `actions.${i}.due`, message: 'it cannot be due before the meeting' });
  });
  if (problems.length > 0) refuse(problems);

  const name = stageMeetingName(schoolMachine, record);
  const open = await store.listTasks({ caseId: record.id, status: 'open' });
  if (meetingRecorded(record, new Set(open.map((task) => task.kind)))) {
    throw new AppError(409, 'meeting_recorded', `the ${name ?? 'meeting'} of this stage is recorded already: add a note for anything since`);
  }
  if (!acceptsEvent(schoolMachine, record, { type: input.parentPresent ? 'MEETING_HELD' : 'PARENT_DID_NOT_ATTEND', at: input.date })) {
    throw new AppError(409, 'event_not_allowed', 'there is no attendance meeting to record at this stage of the case');
  }
  const meeting: MeetingRecord = {
    name,
    date: input.date,
    attendees: input.attendees,
    parentPresent: input.parentPresent,
    agreed: input.agreed,
    actions: input.actions.map((action) => ({ ...action, ownerName: staff.get(action.owner)! })),
    outcome: input.outcome,
  };
  const at = clock.now();
  const tasks: NewTask[] = meeting.actions.map((action, i) => ({
    // Stable for the version decided on: the write is guarded by it, so a repeat cannot double them.
    id: `meeting-action:${record.id}:v${options.expectedVersion}:${i + 1}`,
    caseId: record.id,
    schoolId: record.schoolId,
    kind: MEETING_ACTION_KIND,
    title: `${action.what} (agreed at the ${name ?? 'meeting'} on ${longDate(input.date)})`,
    dueDate: action.due,
    assignee: action.owner,
    createdAt: at,
  }));
  // The tasks open now, before the write: an escalation it causes sets its own meeting task, which stays open.
  const answered = open.filter(
    (task) => MEETING_TASK_KINDS.has(task.kind) || (input.parentPresent && input.agreed !== '' && PLAN_TASK_KINDS.has(task.kind)),
  );
  const event = input.parentPresent ? ({ type: 'MEETING_HELD', at: input.date, meeting } as const) : ({ type: 'PARENT_DID_NOT_ATTEND', at: input.date, meeting } as const);
  const outcome = await cases.send(record.id, event, { actor: options.actor, expectedVersion: options.expectedVersion, tasks, answers: answered.map((task) => task.id) });
  const tasksClosed: string[] = [];
  for (const task of answered) {
    const note = input.parentPresent ? `Meeting held on ${longDate(input.date)}` : `Meeting on ${longDate(input.date)}: no parent or carer attended`;
    if (await store.closeTask(task.id, { status: 'done', by: options.actor, at, note })) tasksClosed.push(task.id);
  }
  return { outcome, meeting, tasksClosed, tasksSet: tasks.map((task) => task.id) };
}
