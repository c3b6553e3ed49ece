// Pure builders for the MongoDB case queries and case writes: the fields kept on a case for
// filtering (its stages, its next open task's due date), the work queue's filter and order, the
// timeline's sequence numbers, and the bulk operations of a page of case writes. No I/O: each is
// unit-tested without a mongod (test/unit/store/mongo-case-fields.test.ts).
import type { CaseFilter, TransitionCommit } from '../types.ts';
import { caseStatus, instant, integer, isoDate, text } from './values.ts';
import { toJson } from './models-base.ts';

/**
 * Every stage a case is at, for an exact, indexed match: each segment of its dotted state
 * (`penaltyNotice` of `penaltyNotice.reducedRateWindow`) and the support stage its context
 * records (`context.stage`). Only the context's own `stage`: `context.lastMeeting.stage` is not one.
 */
export function stagesOf(state: string, snapshot: unknown): string[] {
  const stages = new Set(state.split('.'));
  const stage = (snapshot as { context?: { stage?: unknown } } | null)?.context?.stage;
  if (typeof stage === 'string') stages.add(stage);
  return [...stages];
}

/** Sorts after every date: the due key of a case with no open task, so such cases come last. */
export const NO_TASK_DUE = '~';

/** The case's due key: the earliest due date of its open tasks, or NO_TASK_DUE. */
export const dueKeyOf = (dueDates: string[]) => (dueDates.length === 0 ? NO_TASK_DUE : dueDates.reduce((a, b) => (b < a ? b : a)));

export interface CaseListPlan {
  filter: Record<string, unknown>;
  sort: Record<string, 1 | -1>;
  /** Open tasks by assignee: the ids of their cases are looked up first (one person's tasks). */
  taskAssignee: { assignee: string; dueBefore?: string } | null;
  /** Cases assigned to this user are looked up first (one person's cases). */
  assignedTo: string | null;
}

/**
 * The filter and order of a work-queue page, all on indexed case fields. The open-task filter
 * is the case's due key (earliest open task ≤ X exactly when some open task is ≤ X); only an
 * assignee needs the tasks themselves.
 */
export function caseListPlan(filter: CaseFilter): CaseListPlan {
  const query: Record<string, unknown> = {};
  const and: Record<string, unknown>[] = [];
  if (filter.schoolIds != null) query.schoolId = { $in: filter.schoolIds.map(text) };
  if (filter.status != null) query.status = text(filter.status);
  if (filter.upn != null) query.upn = text(filter.upn);
  if (filter.upns != null) and.push({ upn: { $in: filter.upns.map(text) } });
  if (filter.caseIds != null) and.push({ _id: { $in: filter.caseIds.map(text) } });
  if (filter.state != null) {
    // The state itself or any state nested in it: 'closed' matches 'closed.improved'. The strings
    // that start with `state.` are exactly those from `state.` up to `state/` ('/' follows '.').
    const state = text(filter.state);
    and.push({ $or: [{ state }, { state: { $gte: `${state}.`, $lt: `${state}/` } }] });
  }
  if (filter.stage != null) query.stages = text(filter.stage);
  let taskAssignee: CaseListPlan['taskAssignee'] = null;
  if (filter.openTask) {
    const dueBefore = filter.openTask.dueBefore != null ? isoDate(filter.openTask.dueBefore) : undefined;
    if (filter.openTask.assignee != null) taskAssignee = { assignee: text(filter.openTask.assignee), ...(dueBefore ? { dueBefore } : {}) };
    else query.dueKey = dueBefore ? { $lte: dueBefore } : { $lt: NO_TASK_DUE };
  }
  if (and.length > 0) query.$and = and;
  const sort: Record<string, 1 | -1> = filter.order === 'dueFirst' ? { dueKey: 1, updatedAt: -1, _id: 1 } : { updatedAt: -1, _id: 1 };
  return { filter: query, sort, taskAssignee, assignedTo: filter.assignedTo != null ? text(filter.assignedTo) : null };
}

// Timeline order without a counter on the case: entries of a transition are numbered from the
// version it makes; entries added between transitions (notes, decisions, assignments) follow
// those of the version they saw, numbered by a counter of their own, which no transition touches.
export const SEQ_PER_VERSION = 1_000_000;
const SIDE_BASE = SEQ_PER_VERSION / 2;

/** The sequence number of the i-th (0-based) timeline entry written with the transition to `version`. */
export const transitionSeq = (version: number, i: number) => version * SEQ_PER_VERSION + i;

/** The sequence number of the n-th (1-based) entry written beside the case at `version`. */
export const sideSeq = (version: number, n: number) => version * SEQ_PER_VERSION + SIDE_BASE + n;

/** The update of a case's side counter taking `k` numbers at `version` (it restarts at each version). */
export function sideCounterUpdate(version: number, k: number) {
  return [{ $set: { n: { $cond: [{ $eq: ['$version', version] }, { $add: [{ $ifNull: ['$n', 0] }, k] }, k] }, version } }];
}

/** The version-guarded update of one transition, as one operation of the page's bulkWrite, marked with the page's `writeId`. */
export function commitUpdate(commit: TransitionCommit, writeId: string) {
  const state = text(commit.state);
  const $set: Record<string, unknown> = {
    writeId,
    state,
    status: caseStatus(commit.status),
    snapshot: toJson(commit.snapshot),
    stages: stagesOf(state, commit.snapshot),
    updatedAt: instant(commit.at),
  };
  if (commit.machineVersion != null) $set.machineVersion = integer(commit.machineVersion);
  // The version in the filter is the guard: a writer that lost the race matches nothing.
  return { updateOne: { filter: { _id: text(commit.caseId), version: integer(commit.expectedVersion) }, update: { $set, $inc: { version: 1 } } } };
}

/** What a commit no longer wants sent: everything held, and letters not yet sent. */
export function cancelUnsentUpdate(caseId: string, cancel: NonNullable<TransitionCommit['cancelUnsent']>, at: Date) {
  return {
    updateMany: {
      filter: cancel.heldLettersOnly
        ? { caseId, status: 'held', kind: 'sendLetter' }
        : { caseId, $or: [{ status: 'held' }, { kind: 'sendLetter', status: { $in: ['pending', 'waiting'] } }] },
      update: { $set: { status: 'cancelled', lastError: text(cancel.reason), completedAt: at, lockedUntil: null } },
    },
  };
}

/** Open tasks matching `filter` cancelled, saying why and by whom. */
export function closeTasksUpdate(filter: Record<string, unknown>, by: string, note: string, at: Date) {
  return { updateMany: { filter, update: { $set: { status: 'cancelled', completedBy: by, completedAt: at, note } } } };
}

/**
 * The tasks of a stage the case has left (by id prefix, sparing the kinds about the whole case),
 * and the task-making effects of it the worker has not run yet.
 */
export function closeStageTasks(caseId: string, close: NonNullable<TransitionCommit['closeTasks']>, at: Date) {
  const note = text(close.note);
  const keepKinds = close.keepKinds.map(text);
  const effects = {
    updateMany: {
      filter: { caseId, kind: 'createTask', status: { $in: ['pending', 'waiting'] }, 'payload.kind': { $nin: keepKinds } },
      update: { $set: { status: 'cancelled', lastError: note, completedAt: at, lockedUntil: null } },
    },
  };
  const prefixes = close.idPrefixes.map((prefix) => new RegExp(`^${text(prefix).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  const tasks = prefixes.length === 0 ? null : closeTasksUpdate({ caseId, status: 'open', _id: { $in: prefixes, $nin: (close.keepIds ?? []).map(text) }, kind: { $nin: keepKinds } }, text(close.by), note, at);
  return { effects, tasks };
}

/** The due-key writes after tasks changed: only cases whose key differs are written. */
export function dueKeyWrites(caseIds: string[], earliest: ReadonlyMap<string, string>) {
  return [...new Set(caseIds)].map((id) => {
    const dueKey = earliest.get(id) ?? NO_TASK_DUE;
    return { updateOne: { filter: { _id: id, dueKey: { $ne: dueKey } }, update: { $set: { dueKey } } } };
  });
}

/** Whom a notify effect writes to, kept beside its payload (JSON text) so it can be queried. */
export function notifyRecipient(effect: { kind: string; payload: unknown }): string | null {
  const to = (effect.payload as { to?: unknown } | null)?.to;
  return effect.kind === 'notify' && typeof to === 'string' ? to : null;
}
