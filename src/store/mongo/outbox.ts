import { type QueryFilter } from 'mongoose';
import * as leases from './worker-leases.ts';
import { toEffect, toJson, toTask, type TaskDoc, type EffectDoc } from './models.ts';
import { count, instant, isoDate, optionalText, text } from './values.ts';
import { refreshDueKeys } from './case-tasks.ts';
import { type ClaimOptions, type WorkerBeat, type EffectApproval, type EffectDecision, type EffectStatus, type NewTimelineEntry, type Store, type NewTask, type TaskFilter, type TaskStatus } from '../types.ts';
import { MongoBase } from './base.ts';

/** Tasks, the outbox of effects (claims, leases, decisions) and the workers that run them. */
export abstract class MongoOutbox extends MongoBase {
  declare writeCaseBatch: Store['writeCaseBatch'];

  async createTask(task: NewTask) {
    return (await this.writeCaseBatch({ tasks: [task] })).tasksCreated === 1;
  }

  async getTask(id: string) {
    const doc = await this.models.tasks.findById(text(id)).lean();
    return doc ? toTask(doc) : null;
  }

  async listTasks(filter: TaskFilter) {
    const query: QueryFilter<TaskDoc> = {};
    const and: QueryFilter<TaskDoc>[] = [];
    // Both given, both apply, as in PostgreSQL.
    if (filter.caseId != null) and.push({ caseId: text(filter.caseId) });
    if (filter.caseIds != null) and.push({ caseId: { $in: filter.caseIds.map(text) } });
    if (and.length > 0) query.$and = and;
    if (filter.schoolIds != null) query.schoolId = { $in: filter.schoolIds.map(text) };
    if (filter.status != null) query.status = text(filter.status) as TaskStatus;
    if (filter.dueBefore != null) query.dueDate = { $lte: isoDate(filter.dueBefore) };
    return (await this.models.tasks.find(query).sort({ dueDate: 1, createdAt: 1, _id: 1 }).lean()).map(toTask);
  }

  async closeTask(id: string, outcome: { status: 'done' | 'cancelled'; by: string; at: Date; note?: string }) {
    const status = outcome.status === 'done' ? 'done' : 'cancelled';
    // The case's due key changes with its open tasks, in the same transaction.
    return this.transaction(async (session) => {
      const doc = await this.models.tasks
        .findOneAndUpdate(
          { _id: text(id), status: 'open' },
          { $set: { status, completedBy: text(outcome.by), completedAt: instant(outcome.at), note: optionalText(outcome.note) } },
          { returnDocument: 'after', session },
        )
        .lean();
      if (doc?.caseId) await refreshDueKeys(this.models, session, [doc.caseId]);
      return doc ? toTask(doc) : null;
    });
  }

  async claimEffects({ now, limit, lockMs, claimedBy }: ClaimOptions) {
    const at = instant(now);
    const lockedUntil = new Date(at.getTime() + Number(lockMs));
    const claimed: EffectDoc[] = [];
    // One document per findOneAndUpdate: the server re-checks the filter on the document it
    // writes, so of several workers racing for an effect exactly one gets it, and the others
    // move on to the next due one instead of waiting.
    for (let n = count(limit); claimed.length < n; ) {
      const doc = await this.models.outbox
        .findOneAndUpdate(
          {
            _id: { $nin: claimed.map((d) => d._id) },
            status: { $in: ['pending', 'running'] },
            nextAttemptAt: { $lte: at },
            $or: [{ status: 'pending' }, { status: 'running', lockedUntil: { $lt: at } }],
          },
          { $set: { status: 'running', lockedUntil, claimedBy: claimedBy ?? null }, $inc: { attempts: 1 } },
          { sort: { nextAttemptAt: 1, _id: 1 }, returnDocument: 'after' },
        )
        .lean();
      if (!doc) break;
      claimed.push(doc);
    }
    return claimed.map(toEffect);
  }

  renewEffects(ids: string[], claimedBy: string, lockedUntil: Date) {
    return leases.renewEffects(this.db, ids, claimedBy, lockedUntil);
  }

  beatWorker(beat: WorkerBeat) {
    return leases.beatWorker(this.db, beat);
  }

  listWorkers() {
    return leases.listWorkers(this.db);
  }

  releaseWorkers(ids: string[]) {
    return leases.releaseWorkers(this.connection, ids);
  }

  async completeEffect(id: string, at: Date) {
    await this.models.outbox.updateOne(
      { _id: text(id) },
      { $set: { status: 'done', completedAt: instant(at), lockedUntil: null, lastError: null } },
    );
  }

  async retryEffect(id: string, error: string, nextAttemptAt: Date) {
    await this.models.outbox.updateOne(
      { _id: text(id) },
      { $set: { status: 'pending', lastError: text(error), nextAttemptAt: instant(nextAttemptAt), lockedUntil: null } },
    );
  }

  async failEffect(id: string, error: string, at: Date) {
    await this.models.outbox.updateOne(
      { _id: text(id) },
      { $set: { status: 'failed', lastError: text(error), completedAt: instant(at), lockedUntil: null } },
    );
  }

  async parkEffect(id: string, reason: string) {
    await this.models.outbox.updateOne({ _id: text(id) }, { $set: { status: 'waiting', lastError: text(reason), lockedUntil: null } });
  }

  async getEffect(id: string) {
    const doc = await this.models.outbox.findById(text(id)).lean();
    return doc ? toEffect(doc) : null;
  }

  async listEffects(filter: { caseId?: string; status?: EffectStatus; schoolIds?: string[] }) {
    const query: QueryFilter<EffectDoc> = {};
    if (filter.caseId != null) query.caseId = text(filter.caseId);
    if (filter.status != null) query.status = text(filter.status) as EffectStatus;
    // Effects carry their case's school: no list of every case id of the schools.
    if (filter.schoolIds != null) query.schoolId = { $in: filter.schoolIds.map(text) };
    return (await this.models.outbox.find(query).sort({ createdAt: 1, _id: 1 }).lean()).map(toEffect);
  }

  async decideEffect(id: string, decision: EffectDecision, timeline: NewTimelineEntry) {
    return this.transaction(async (session) => {
      const doc = await this.models.outbox.findOne({ _id: text(id), status: 'held' }).session(session).lean();
      if (!doc) return null;
      const held = toEffect(doc);
      const approval: EffectApproval = {
        ...held.approval!,
        decisions: [...held.approval!.decisions, decision],
        deferredUntil: decision.decision === 'defer' ? isoDate(decision.until) : null,
        edits: decision.decision === 'approve' ? (decision.edits ?? []) : held.approval!.edits,
      };
      const set: Partial<EffectDoc> = { approval: toJson(approval) };
      if (decision.decision === 'approve') Object.assign(set, { status: 'pending', nextAttemptAt: new Date() });
      if (decision.decision === 'reject') Object.assign(set, { status: 'rejected', completedAt: instant(decision.at) });
      // The status in the filter is the guard: of two people deciding at once, one write matches.
      const updated = await this.models.outbox
        .findOneAndUpdate({ _id: text(id), status: 'held' }, { $set: set }, { session, returnDocument: 'after' })
        .lean();
      if (!updated) return null;
      if (held.caseId) {
        await this.insertTimeline(session, held.caseId, [timeline], doc.schoolId ?? undefined);
      }
      return toEffect(updated);
    });
  }

  async listNotifiedCaseIds(filter: { schoolIds: string[]; recipients: string[] }) {
    const unsent: EffectStatus[] = ['held', 'rejected', 'cancelled'];
    const notified = new Set<string>();
    const effects = this.models.outbox
      .find({ schoolId: { $in: filter.schoolIds.map(text) }, kind: 'notify', notifyTo: { $in: filter.recipients.map(text) }, status: { $nin: unsent } }, { _id: 0, caseId: 1 })
      .lean()
      .cursor();
    for await (const effect of effects) if (effect.caseId != null) notified.add(effect.caseId);
    // As PostgreSQL's COLLATE "C": by code point.
    return [...notified].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
}
