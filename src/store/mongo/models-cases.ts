// Cases, timelines, outbox effects, timers and tasks: documents, schemas, indexes, converters.
import { Schema } from 'mongoose';
import type { CaseRecord, CaseTimer, EffectApproval, EffectDecision, EffectStatus, OutboxEffect, Task, TimelineEntry } from '../types.ts';
import { options, fromJson, OPEN_CASE_INDEX, type IdDoc } from './models-base.ts';

export type CaseDoc = IdDoc<Omit<CaseRecord, 'snapshot'>> & {
  /** The snapshot as JSON text (see toJson). */
  snapshot: string;
  /** Every stage the case is at (see stagesOf): the stage filter's exact, indexed match. */
  stages: string[];
  /** The earliest due date of its open tasks, or NO_TASK_DUE: the due-first order and the open-task filter. */
  dueKey: string;
  /** The page write that last changed the case (see writeCaseBatch). */
  writeId?: string;
};
export const caseSchema = new Schema<CaseDoc>(
  {
    _id: String,
    schoolId: String,
    upn: String,
    workflowId: String,
    machineId: String,
    machineVersion: Number,
    state: String,
    status: { type: String, enum: ['open', 'closed'] },
    snapshot: String,
    version: Number,
    stages: [String],
    dueKey: String,
    writeId: String,
    openedAt: Date,
    updatedAt: Date,
  },
  options,
);
// A pupil has at most one open case: two evaluators racing to open one cannot both win.
caseSchema.index({ schoolId: 1, upn: 1 }, { name: OPEN_CASE_INDEX, unique: true, partialFilterExpression: { status: 'open' } });
caseSchema.index({ schoolId: 1, status: 1, state: 1, updatedAt: -1 });
caseSchema.index({ updatedAt: -1, _id: 1 });
// The work queue of a school: last changed first, due first, by stage; a pupil's cases.
caseSchema.index({ schoolId: 1, status: 1, updatedAt: -1, _id: 1 });
caseSchema.index({ schoolId: 1, dueKey: 1, updatedAt: -1, _id: 1 });
caseSchema.index({ schoolId: 1, stages: 1, updatedAt: -1 });
caseSchema.index({ schoolId: 1, upn: 1, openedAt: -1 });
export const toCase = (d: CaseDoc): CaseRecord => ({
  id: d._id,
  schoolId: d.schoolId,
  upn: d.upn,
  workflowId: d.workflowId,
  machineId: d.machineId,
  machineVersion: d.machineVersion,
  state: d.state,
  status: d.status,
  snapshot: fromJson(d.snapshot),
  version: d.version,
  openedAt: d.openedAt,
  updatedAt: d.updatedAt,
});

export interface TimelineDoc {
  _id: string;
  /** The case's school: the shard key leads with it (docs/scaling.md). Absent on entries written before issue 23. */
  schoolId?: string;
  caseId: string;
  seq: number;
  at: Date;
  actor: string;
  type: string;
  from: string | null;
  to: string | null;
  evidence: string;
}
export const timelineSchema = new Schema<TimelineDoc>(
  {
    _id: String,
    schoolId: String,
    caseId: String,
    seq: Number,
    at: Date,
    actor: String,
    type: String,
    from: String,
    to: String,
    evidence: String,
  },
  options,
);
timelineSchema.index({ caseId: 1, seq: 1 }, { unique: true });
export const toTimeline = (d: TimelineDoc): TimelineEntry => ({
  id: d._id,
  caseId: d.caseId,
  at: d.at,
  actor: d.actor,
  type: d.type,
  from: d.from ?? null,
  to: d.to ?? null,
  evidence: fromJson(d.evidence),
});

export interface EffectDoc {
  _id: string;
  caseId: string | null;
  /** The case's school: effects are listed by school without every case id in an `$in`. */
  schoolId?: string | null;
  /** A notify effect's recipient (see notifyRecipient). */
  notifyTo?: string | null;
  kind: string;
  payload: string;
  status: EffectStatus;
  attempts: number;
  nextAttemptAt: Date;
  lockedUntil: Date | null;
  /** The worker holding a running effect's claim. */
  claimedBy?: string | null;
  lastError: string | null;
  createdAt: Date;
  completedAt: Date | null;
  /** The EffectApproval as JSON text, like the payload; null for an effect no person decides. */
  approval?: string | null;
}
export const effectSchema = new Schema<EffectDoc>(
  {
    _id: String,
    caseId: String,
    schoolId: String,
    notifyTo: String,
    kind: String,
    payload: String,
    status: { type: String, enum: ['pending', 'running', 'done', 'failed', 'waiting', 'held', 'rejected', 'cancelled'] },
    attempts: Number,
    nextAttemptAt: Date,
    lockedUntil: Date,
    claimedBy: String,
    lastError: String,
    createdAt: Date,
    completedAt: Date,
    approval: String,
  },
  options,
);
// The claim reads pending and running effects in due order (two index ranges merged), never the
// many done ones; a partial index on `status $in` would need MongoDB 6.0.
effectSchema.index({ status: 1, nextAttemptAt: 1, _id: 1 }, { name: 'outbox_due' });
effectSchema.index({ caseId: 1, createdAt: 1, _id: 1 });
effectSchema.index({ schoolId: 1, createdAt: 1, _id: 1 });
effectSchema.index({ schoolId: 1, kind: 1, notifyTo: 1 });
export const toEffect = (d: EffectDoc): OutboxEffect => ({
  id: d._id,
  caseId: d.caseId ?? null,
  kind: d.kind,
  payload: fromJson(d.payload),
  status: d.status,
  attempts: d.attempts,
  nextAttemptAt: d.nextAttemptAt,
  lastError: d.lastError ?? null,
  createdAt: d.createdAt,
  completedAt: d.completedAt ?? null,
  approval: d.approval ? approvalFromJson(d.approval) : null,
});

/** Instants inside the JSON text come back as strings. */
function approvalFromJson(json: string): EffectApproval {
  const stored = JSON.parse(json) as Omit<EffectApproval, 'heldAt' | 'decisions'> & { heldAt: string; decisions: (Omit<EffectDecision, 'at'> & { at: string })[] };
  return { ...stored, heldAt: new Date(stored.heldAt), decisions: stored.decisions.map((d) => ({ ...d, at: new Date(d.at) }) as EffectDecision) };
}

export interface TimerDoc {
  /** The case's school: the shard key leads with it (docs/scaling.md). Absent on timers set before issue 23. */
  schoolId?: string;
  caseId: string;
  name: string;
  timerId: string;
  dueAt: Date;
  event: string;
}
export const timerSchema = new Schema<TimerDoc>(
  {
    schoolId: String,
    caseId: String,
    name: String,
    timerId: String,
    dueAt: Date,
    event: String,
  },
  options,
);
timerSchema.index({ caseId: 1, name: 1 }, { unique: true });
timerSchema.index({ timerId: 1 }, { unique: true });
timerSchema.index({ dueAt: 1, caseId: 1, name: 1 });
export const toTimer = (d: TimerDoc): CaseTimer => ({
  caseId: d.caseId,
  name: d.name,
  timerId: d.timerId,
  dueAt: d.dueAt,
  event: fromJson(d.event),
});

export type TaskDoc = IdDoc<Task>;
export const taskSchema = new Schema<TaskDoc>(
  {
    _id: String,
    caseId: String,
    schoolId: String,
    kind: String,
    title: String,
    dueDate: String,
    status: { type: String, enum: ['open', 'done', 'cancelled'] },
    assignee: String,
    createdAt: Date,
    completedAt: Date,
    completedBy: String,
    note: String,
  },
  options,
);
taskSchema.index({ schoolId: 1, status: 1, dueDate: 1 });
taskSchema.index({ caseId: 1, status: 1, dueDate: 1 });
taskSchema.index({ assignee: 1, status: 1, schoolId: 1 });
export const toTask = (d: TaskDoc): Task => ({
  id: d._id,
  caseId: d.caseId ?? null,
  schoolId: d.schoolId,
  kind: d.kind,
  title: d.title,
  dueDate: d.dueDate,
  status: d.status,
  assignee: d.assignee ?? null,
  createdAt: d.createdAt,
  completedAt: d.completedAt ?? null,
  completedBy: d.completedBy ?? null,
  note: d.note ?? null,
});
