import { randomUUID } from 'node:crypto';
import { type QueryFilter, type mongo } from 'mongoose';
import { native, OPEN_CASE_INDEX, toCase, toJson, toTimer, toTimeline, type CaseDoc, type EffectDoc, type TimerDoc } from './models.ts';

type AnyDoc = mongo.Document & { _id: string };
import { caseStatus, count, instant, integer, text } from './values.ts';
import { CaseAlreadyOpen, VersionConflict, type CaseFilter, type CaseTimer, type CaseBatch, type CaseRecord, type NewCase, type NewEffect, type NewTimelineEntry, type QueueLine, type Store, type TransitionCommit } from '../types.ts';
import { isDuplicateKeyIn, MongoBase, timelineDocs } from './base.ts';
import { cancelUnsentUpdate, caseListPlan, closeStageTasks, closeTasksUpdate, commitUpdate, NO_TASK_DUE, notifyRecipient, stagesOf, transitionSeq } from './case-fields.ts';
import { refreshDueKeys, writeTasks } from './case-tasks.ts';

/** Cases, their timelines and timers, written in transactions and read as the work queue shows them. */
export abstract class MongoCases extends MongoBase {
  declare listPupils: Store['listPupils'];
  declare listTasks: Store['listTasks'];
  declare listCaseAssignees: Store['listCaseAssignees'];

  async createCase(
    record: NewCase,
    initial: { timeline: NewTimelineEntry[]; effects: NewEffect[]; timers?: Omit<CaseTimer, 'caseId'>[] },
  ) {
    return (await this.writeCaseBatch({ created: [{ record, ...initial }] })).cases[0]!;
  }

  /**
   * A page of case writes, set-based: one write per collection whatever the number of cases
   * (cases inserted, cases updated under their version guard, timeline, outbox, timers, tasks),
   * so the transaction stays a dozen round trips long.
   */
  async writeCaseBatch(batch: CaseBatch) {
    return this.transaction(async (session) => {
      const created = batch.created ?? [];
      const commits = batch.commits ?? [];
      const timeline: ReturnType<typeof timelineDocs> = [];
      const outbox: mongo.AnyBulkWriteOperation<AnyDoc>[] = [];
      const timers: mongo.AnyBulkWriteOperation<AnyDoc>[] = [];
      const tasks: mongo.AnyBulkWriteOperation<AnyDoc>[] = [];
      const cases: CaseRecord[] = [];

      if (created.length > 0) {
        const docs = created.map(({ record }) => newCaseDoc(record));
        const pupils = await this.models.pupils.find({ $or: docs.map((d) => ({ schoolId: d.schoolId, upn: d.upn })) }, { schoolId: 1, upn: 1 }).session(session).lean();
        const known = new Set(pupils.map((p) => `${p.schoolId}/${p.upn}`));
        const missing = docs.find((d) => !known.has(`${d.schoolId}/${d.upn}`));
        if (missing) throw new Error(`no pupil ${missing.upn} at school ${missing.schoolId}`);
        try {
          await native(this.models.cases).insertMany(docs, { session, ordered: true });
        } catch (error) {
          if (!isDuplicateKeyIn(error, OPEN_CASE_INDEX)) throw error;
          const failed = docs[(error as { writeErrors?: { index: number }[] }).writeErrors?.[0]?.index ?? 0] ?? docs[0]!;
          throw new CaseAlreadyOpen(failed.schoolId, failed.upn);
        }
        created.forEach(({ timeline: entries, effects, timers: set }, i) => {
          const doc = docs[i]!;
          timeline.push(...timelineDocs(doc, entries, (n) => transitionSeq(1, n)));
          outbox.push(...effectDocs(doc, effects, doc.openedAt).map((document) => ({ insertOne: { document } })));
          timers.push(...timerWrites(doc, set ?? []));
          cases.push(toCase(doc));
        });
      }

      if (commits.length > 0) {
        const ids = commits.map((c) => text(c.caseId));
        if (new Set(ids).size < ids.length) throw new Error('at most one commit per case in a batch');
        // A token of this attempt marks the cases it wrote, so a guard that matched nothing is named.
        const writeId = randomUUID();
        const updated = await native(this.models.cases).bulkWrite(commits.map((c) => commitUpdate(c, writeId)), { session, ordered: false });
        const after = new Map((await this.models.cases.find({ _id: { $in: ids } }).session(session).lean()).map((d) => [d._id, d]));
        if (updated.matchedCount !== commits.length) {
          const lost = commits.find((c) => after.get(text(c.caseId))?.writeId !== writeId)!;
          throw new VersionConflict(lost.caseId, lost.expectedVersion);
        }
        for (const commit of commits) {
          const doc = after.get(text(commit.caseId))!;
          timeline.push(...timelineDocs(doc, commit.timeline, (n) => transitionSeq(doc.version, n)));
          const at = instant(commit.at);
          if (commit.cancelUnsent) {
            const cancel = cancelUnsentUpdate(doc._id, commit.cancelUnsent, at);
            // The overdue approval task of an effect cancelled here closes with it: nothing is left to approve.
            const cancelled = (await this.models.outbox.find(cancel.updateMany.filter as QueryFilter<EffectDoc>, { _id: 1 }, { session }).lean()).map((effect) => `approval-overdue:${effect._id}`);
            if (cancelled.length > 0) tasks.push(closeTasksUpdate({ _id: { $in: cancelled }, status: 'open' }, 'system:workflow', text(commit.cancelUnsent.reason), at));
            outbox.push(cancel);
          }
          if (commit.closeTasks) {
            const close = closeStageTasks(doc._id, commit.closeTasks, at);
            outbox.push(close.effects);
            if (close.tasks) tasks.push(close.tasks);
          }
          outbox.push(...effectDocs(doc, commit.effects, at).map((document) => ({ insertOne: { document } })));
          if (commit.timers) {
            timers.push({ deleteMany: { filter: { caseId: doc._id, name: { $in: commit.timers.remove.map(text) } } } });
            timers.push(...timerWrites(doc, commit.timers.set));
          }
          cases.push(toCase(doc));
        }
      }

      if (timeline.length > 0) await native(this.models.timeline).insertMany(timeline, { session, ordered: false });
      // Ordered: a commit's cancellations apply before its new effects are inserted.
      if (outbox.length > 0) await native(this.models.outbox).bulkWrite(outbox, { session, ordered: true });
      if (timers.length > 0) await native(this.models.timers).bulkWrite(timers, { session, ordered: true });
      if (tasks.length > 0) {
        await native(this.models.tasks).bulkWrite(tasks, { session, ordered: true });
        await refreshDueKeys(this.models, session, commits.map((c) => text(c.caseId)));
      }
      const tasksCreated = await writeTasks(this.models, session, batch.tasks ?? [], new Set(cases.map((c) => c.id)));
      return { cases, tasksCreated };
    });
  }

  async getCase(id: string) {
    const doc = await this.models.cases.findById(text(id)).lean();
    return doc ? toCase(doc) : null;
  }

  async findOpenCase(schoolId: string, upn: string) {
    const doc = await this.models.cases.findOne({ schoolId: text(schoolId), upn: text(upn), status: 'open' }).lean();
    return doc ? toCase(doc) : null;
  }

  async listCases(filter: CaseFilter) {
    const plan = caseListPlan(filter);
    const and: Record<string, unknown>[] = [plan.filter];
    if (plan.taskAssignee) {
      // One person's open tasks, within the schools asked about: not a distinct over every school.
      const tasks = { status: 'open', assignee: plan.taskAssignee.assignee, caseId: { $ne: null }, ...(plan.filter.schoolId ? { schoolId: plan.filter.schoolId } : {}) };
      if (plan.taskAssignee.dueBefore) Object.assign(tasks, { dueDate: { $lte: plan.taskAssignee.dueBefore } });
      and.push({ _id: { $in: await idsOf(native(this.models.tasks).find(tasks, { projection: { _id: 0, caseId: 1 } }), 'caseId') } });
    }
    if (plan.assignedTo) and.push({ _id: { $in: await idsOf(native(this.models.caseAssignments).find({ userId: plan.assignedTo }, { projection: { _id: 1 } }), '_id') } });
    const query = and.length === 1 ? plan.filter : { $and: and };
    const limit = count(filter.limit ?? 50);
    const offset = count(filter.offset ?? 0);
    const [total, docs] = await Promise.all([
      this.models.cases.countDocuments(query),
      limit === 0 ? [] : this.models.cases.find(query).sort(plan.sort).skip(offset).limit(limit).lean(),
    ]);
    return { total, cases: docs.map(toCase) };
  }

  async listQueue(filter: CaseFilter) {
    const { total, cases } = await this.listCases(filter);
    const upnsBySchool = new Map<string, string[]>();
    for (const record of cases) upnsBySchool.set(record.schoolId, [...(upnsBySchool.get(record.schoolId) ?? []), record.upn]);
    const [pupils, tasks, assignees] = await Promise.all([
      Promise.all([...upnsBySchool].map(([schoolId, upns]) => this.listPupils(schoolId, upns))),
      cases.length === 0 ? [] : this.listTasks({ caseIds: cases.map((record) => record.id), status: 'open' }),
      cases.length === 0 ? [] : this.listCaseAssignees(cases.map((record) => record.id)),
    ]);
    const assigneeOf = new Map(assignees.map((a) => [a.caseId, a.userId]));
    const pupilOf = new Map(pupils.flat().map((pupil) => [`${pupil.schoolId}/${pupil.upn}`, pupil]));
    const lines = cases.map((record): QueueLine => {
      const pupil = pupilOf.get(`${record.schoolId}/${record.upn}`);
      // Tasks come earliest first: the first of a case is its next.
      const next = tasks.find((task) => task.caseId === record.id);
      const stage = (record.snapshot as { context?: { stage?: unknown } } | null)?.context?.stage;
      return {
        id: record.id,
        schoolId: record.schoolId,
        upn: record.upn,
        state: record.state,
        status: record.status,
        version: record.version,
        updatedAt: record.updatedAt,
        stage: typeof stage === 'string' ? stage : null,
        pupil: pupil ? { forename: pupil.forename, surname: pupil.surname } : null,
        nextTask: next ? { id: next.id, title: next.title, dueDate: next.dueDate, assignee: next.assignee } : null,
        assignedTo: assigneeOf.get(record.id) ?? null,
      };
    });
    return { total, lines };
  }

  async commitTransition(commit: TransitionCommit) {
    return (await this.writeCaseBatch({ commits: [commit] })).cases[0]!;
  }

  async appendTimeline(schoolId: string, caseId: string, entries: NewTimelineEntry[]) {
    if (entries.length === 0) return;
    const id = text(caseId);
    await this.transaction(async (session) => {
      if (!(await this.insertTimeline(session, id, entries, text(schoolId)))) throw new Error(`case ${id} does not exist at that school`);
    });
  }

  async listTimeline(caseId: string) {
    return (await this.models.timeline.find({ caseId: text(caseId) }).sort({ seq: 1 }).lean()).map(toTimeline);
  }

  async getTimer(caseId: string, name: string) {
    const doc = await this.models.timers.findOne({ caseId: text(caseId), name: text(name) }).lean();
    return doc ? toTimer(doc) : null;
  }

  async listTimers(caseId: string) {
    return (await this.models.timers.find({ caseId: text(caseId) }).sort({ dueAt: 1, name: 1 }).lean()).map(toTimer);
  }

  async listDueTimers(now: Date, limit: number) {
    const n = count(limit);
    if (n === 0) return [];
    const docs = await this.models.timers
      .find({ dueAt: { $lte: instant(now) } })
      .sort({ dueAt: 1, caseId: 1, name: 1 })
      .limit(n)
      .lean();
    return docs.map(toTimer);
  }
}

function newCaseDoc(record: NewCase): CaseDoc {
  const openedAt = instant(record.openedAt);
  const state = text(record.state);
  return {
    _id: text(record.id),
    schoolId: text(record.schoolId),
    upn: text(record.upn),
    workflowId: text(record.workflowId),
    machineId: text(record.machineId),
    machineVersion: integer(record.machineVersion),
    state,
    status: caseStatus(record.status),
    snapshot: toJson(record.snapshot),
    stages: stagesOf(state, record.snapshot),
    dueKey: NO_TASK_DUE,
    version: 1,
    openedAt,
    updatedAt: openedAt,
  };
}

function effectDocs({ _id: caseId, schoolId }: Pick<CaseDoc, '_id' | 'schoolId'>, effects: NewEffect[], at: Date): EffectDoc[] {
  return effects.map(
    (e): EffectDoc => ({
      _id: text(e.id),
      caseId,
      schoolId,
      notifyTo: notifyRecipient(e),
      kind: text(e.kind),
      payload: toJson(e.payload),
      status: e.approval ? 'held' : 'pending',
      attempts: 0,
      nextAttemptAt: e.nextAttemptAt == null ? new Date() : instant(e.nextAttemptAt),
      lockedUntil: null,
      lastError: null,
      createdAt: at,
      completedAt: null,
      approval: e.approval
        ? toJson({ requires: e.approval.requires, reason: text(e.approval.reason), evidence: e.approval.evidence ?? null, heldAt: at, deferredUntil: null, edits: [], decisions: [] })
        : null,
    }),
  );
}

/** The upserts of a case's timers; each carries the case's school (the shard key, docs/scaling.md). */
export function timerWrites({ _id: caseId, schoolId }: Pick<CaseDoc, '_id' | 'schoolId'>, timers: Omit<CaseTimer, 'caseId'>[]): mongo.AnyBulkWriteOperation<AnyDoc>[] {
  return timers.map((t) => {
    // Set, not matched: a timer set before its documents carried the school gets it here.
    const fields: Omit<TimerDoc, 'caseId' | 'name'> = { schoolId, timerId: text(t.timerId), dueAt: instant(t.dueAt), event: toJson(t.event) };
    // The unique (caseId, name) index makes this upsert race-free: one timer per case and name.
    return { updateOne: { filter: { caseId, name: text(t.name) }, update: { $set: fields }, upsert: true } };
  });
}

/** The distinct values of one field of a cursor's documents, streamed (no 16 MB `distinct` cap). */
async function idsOf(cursor: AsyncIterable<Record<string, unknown>>, field: string): Promise<string[]> {
  const ids = new Set<string>();
  for await (const doc of cursor) if (doc[field] != null) ids.add(String(doc[field]));
  return [...ids];
}
