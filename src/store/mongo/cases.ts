import { type QueryFilter, type mongo } from 'mongoose';
import { OPEN_CASE_INDEX, toCase, toJson, toTimeline, toTimer, type TaskDoc, type CaseDoc, type EffectDoc, type TimerDoc } from './models.ts';
import { caseStatus, count, instant, integer, isoDate, optionalText, text } from './values.ts';
import { CaseAlreadyOpen, VersionConflict, type CaseFilter, type CaseStatus, type CaseTimer, type CaseBatch, type CaseRecord, type NewCase, type NewCaseWrite, type NewEffect, type NewTimelineEntry, type QueueLine, type Store, type TransitionCommit, type NewTask } from '../types.ts';
import { isDuplicateKeyIn } from './base.ts';
import { MongoBase } from './base.ts';

/** Cases, their timelines and timers, written in transactions and read as the work queue shows them. */
export abstract class MongoCases extends MongoBase {
  declare listPupils: Store['listPupils'];
  declare listTasks: Store['listTasks'];

  async createCase(
    record: NewCase,
    initial: { timeline: NewTimelineEntry[]; effects: NewEffect[]; timers?: Omit<CaseTimer, 'caseId'>[] },
  ) {
    return (await this.writeCaseBatch({ created: [{ record, ...initial }] })).cases[0]!;
  }

  async writeCaseBatch(batch: CaseBatch) {
    return this.transaction(async (session) => {
      const cases: CaseRecord[] = [];
      for (const created of batch.created ?? []) cases.push(await this.insertCase(session, created));
      for (const commit of batch.commits ?? []) cases.push(await this.applyCommit(session, commit));
      let tasksCreated = 0;
      for (const task of batch.tasks ?? []) if (await this.insertTask(session, task)) tasksCreated += 1;
      return { cases, tasksCreated };
    });
  }

  protected async insertCase(session: mongo.ClientSession, { record, timeline, effects, timers }: NewCaseWrite) {
    const openedAt = instant(record.openedAt);
    const doc: CaseDoc = {
      _id: text(record.id),
      schoolId: text(record.schoolId),
      upn: text(record.upn),
      workflowId: text(record.workflowId),
      machineId: text(record.machineId),
      machineVersion: integer(record.machineVersion),
      state: text(record.state),
      status: caseStatus(record.status),
      snapshot: toJson(record.snapshot),
      version: 1,
      timelineSeq: timeline.length,
      openedAt,
      updatedAt: openedAt,
    };
    if (!(await this.models.pupils.exists({ schoolId: doc.schoolId, upn: doc.upn }).session(session))) {
      throw new Error(`no pupil ${doc.upn} at school ${doc.schoolId}`);
    }
    try {
      await this.models.cases.insertMany([doc], { session });
    } catch (error) {
      if (isDuplicateKeyIn(error, OPEN_CASE_INDEX)) throw new CaseAlreadyOpen(record.schoolId, record.upn);
      throw error;
    }
    await this.insertTimeline(session, doc._id, 1, timeline);
    await this.insertEffects(session, doc._id, effects, openedAt);
    await this.setTimers(session, doc._id, timers ?? []);
    return toCase(doc);
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
    const query: QueryFilter<CaseDoc> = {};
    const and: QueryFilter<CaseDoc>[] = [];
    if (filter.schoolIds != null) query.schoolId = { $in: filter.schoolIds.map(text) };
    if (filter.status != null) query.status = text(filter.status) as CaseStatus;
    if (filter.upn != null) query.upn = text(filter.upn);
    if (filter.upns != null) and.push({ upn: { $in: filter.upns.map(text) } });
    if (filter.caseIds != null) and.push({ _id: { $in: filter.caseIds.map(text) } });
    if (filter.state != null) {
      // The state itself or any state nested in it: 'closed' matches 'closed.improved'. The strings
      // that start with `state.` are exactly those from `state.` up to `state/` ('/' follows '.').
      const state = text(filter.state);
      and.push({ $or: [{ state }, { state: { $gte: `${state}.`, $lt: `${state}/` } }] });
    }
    if (filter.stage != null) {
      // A segment of the dotted state, or the support stage kept in the snapshot's context (JSON text).
      const stage = text(filter.stage).replace(/[^A-Za-z0-9]/g, '');
      and.push({ $or: [{ state: { $regex: `(^|\\.)${stage}(\\.|$)` } }, { snapshot: { $regex: `"stage":"${stage}"` } }] });
    }
    const taskQuery: QueryFilter<TaskDoc> = { status: 'open' };
    if (filter.openTask?.dueBefore != null) taskQuery.dueDate = { $lte: isoDate(filter.openTask.dueBefore) };
    if (filter.openTask?.assignee != null) taskQuery.assignee = text(filter.openTask.assignee);
    if (filter.openTask) and.push({ _id: { $in: (await this.models.tasks.distinct('caseId', taskQuery)).filter((id) => id != null).map(text) } });
    if (filter.assignedTo != null) and.push({ _id: { $in: await this.models.caseAssignments.distinct('_id', { userId: text(filter.assignedTo) }) } });
    if (and.length > 0) query.$and = and;
    const limit = count(filter.limit ?? 50);
    const offset = count(filter.offset ?? 0);
    if (filter.order === 'dueFirst') {
      // The earliest open task of each case decides its place; cases with none come last.
      const docs = await this.models.cases.find(query).sort({ updatedAt: -1, _id: 1 }).lean();
      const due = new Map<string, string>();
      for (const task of await this.models.tasks.find({ status: 'open', caseId: { $in: docs.map((d) => d._id) } }).lean()) {
        const known = due.get(task.caseId!);
        if (!known || task.dueDate < known) due.set(task.caseId!, task.dueDate);
      }
      const ordered = docs.map((doc, index) => ({ doc, index, due: due.get(doc._id) ?? '9999-12-31' })).sort((a, b) => a.due.localeCompare(b.due) || a.index - b.index);
      return { total: docs.length, cases: limit === 0 ? [] : ordered.slice(offset, offset + limit).map(({ doc }) => toCase(doc)) };
    }
    const [total, docs] = await Promise.all([
      this.models.cases.countDocuments(query),
      limit === 0 ? [] : this.models.cases.find(query).sort({ updatedAt: -1, _id: 1 }).skip(offset).limit(limit).lean(),
    ]);
    return { total, cases: docs.map(toCase) };
  }

  async listQueue(filter: CaseFilter) {
    const { total, cases } = await this.listCases(filter);
    const upnsBySchool = new Map<string, string[]>();
    for (const record of cases) upnsBySchool.set(record.schoolId, [...(upnsBySchool.get(record.schoolId) ?? []), record.upn]);
    const [pupils, tasks] = await Promise.all([
      Promise.all([...upnsBySchool].map(([schoolId, upns]) => this.listPupils(schoolId, upns))),
      this.listTasks({ caseIds: cases.map((record) => record.id), status: 'open' }),
    ]);
    const pupilOf = new Map(pupils.flat().map((pupil) => [`${pupil.schoolId}/${pupil.upn}`, pupil]));
    const lines = cases.map((record): QueueLine => {
      const pupil = pupilOf.get(`${record.schoolId}/${record.upn}`);
      // Tasks come earliest first: the first of a case is its next.
      const next = tasks.find((task) => task.caseId === record.id);
      return {
        id: record.id,
        schoolId: record.schoolId,
        upn: record.upn,
        state: record.state,
        status: record.status,
        version: record.version,
        updatedAt: record.updatedAt,
        stage: (record.snapshot as { context?: { stage?: string } }).context?.stage ?? null,
        pupil: pupil ? { forename: pupil.forename, surname: pupil.surname } : null,
        nextTask: next ? { id: next.id, title: next.title, dueDate: next.dueDate, assignee: next.assignee } : null,
      };
    });
    return { total, lines };
  }

  async commitTransition(commit: TransitionCommit) {
    return (await this.writeCaseBatch({ commits: [commit] })).cases[0]!;
  }

  protected async applyCommit(session: mongo.ClientSession, commit: TransitionCommit) {
    const caseId = text(commit.caseId);
    const at = instant(commit.at);
    const set: Partial<CaseDoc> = {
      state: text(commit.state),
      status: caseStatus(commit.status),
      snapshot: toJson(commit.snapshot),
      updatedAt: at,
    };
    if (commit.machineVersion != null) set.machineVersion = integer(commit.machineVersion);
    // The version in the filter is the guard: a writer that lost the race matches nothing.
    const updated = await this.models.cases
      .findOneAndUpdate(
        { _id: caseId, version: integer(commit.expectedVersion) },
        { $set: set, $inc: { version: 1, timelineSeq: commit.timeline.length } },
        { session, returnDocument: 'after' },
      )
      .lean();
    if (!updated) throw new VersionConflict(commit.caseId, commit.expectedVersion);
    await this.insertTimeline(session, caseId, updated.timelineSeq - commit.timeline.length + 1, commit.timeline);
    if (commit.cancelUnsent) {
      // What the case no longer wants sent: everything held, and letters not yet sent.
      const unsent: QueryFilter<EffectDoc> = commit.cancelUnsent.heldLettersOnly
        ? { caseId, status: 'held', kind: 'sendLetter' }
        : { caseId, $or: [{ status: 'held' }, { kind: 'sendLetter', status: { $in: ['pending', 'waiting'] } }] };
      const ids = (await this.models.outbox.find(unsent, { _id: 1 }, { session }).lean()).map((effect) => effect._id);
      const reason = text(commit.cancelUnsent.reason);
      await this.models.outbox.updateMany({ _id: { $in: ids } }, { $set: { status: 'cancelled', lastError: reason, completedAt: at, lockedUntil: null } }, { session });
      // The overdue approval task of an effect cancelled here closes with it: nothing is left to approve.
      await this.models.tasks.updateMany(
        { _id: { $in: ids.map((id) => `approval-overdue:${id}`) }, status: 'open' },
        { $set: { status: 'cancelled', completedBy: 'system:workflow', completedAt: at, note: reason } },
        { session },
      );
    }
    if (commit.closeTasks) {
      // The tasks of a stage the case has left, and the task-making effects of it not yet run.
      const note = text(commit.closeTasks.note);
      await this.models.outbox.updateMany(
        { caseId, kind: 'createTask', status: { $in: ['pending', 'waiting'] }, 'payload.kind': { $nin: commit.closeTasks.keepKinds.map(text) } },
        { $set: { status: 'cancelled', lastError: note, completedAt: at, lockedUntil: null } },
        { session },
      );
      const prefixes = commit.closeTasks.idPrefixes.map((prefix) => new RegExp(`^${text(prefix).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      if (prefixes.length > 0) {
        await this.models.tasks.updateMany(
          { caseId, status: 'open', _id: { $in: prefixes }, kind: { $nin: commit.closeTasks.keepKinds.map(text) } },
          { $set: { status: 'cancelled', completedBy: text(commit.closeTasks.by), completedAt: at, note } },
          { session },
        );
      }
    }
    await this.insertEffects(session, caseId, commit.effects, at);
    if (commit.timers) {
      await this.models.timers.deleteMany({ caseId, name: { $in: commit.timers.remove.map(text) } }, { session });
      await this.setTimers(session, caseId, commit.timers.set);
    }
    return toCase(updated);
  }

  async appendTimeline(caseId: string, entries: NewTimelineEntry[]) {
    if (entries.length === 0) return;
    const id = text(caseId);
    await this.transaction(async (session) => {
      // Taking sequence numbers from the case keeps the timeline in write order across processes
      // without touching the version, so a concurrent transition is not made to conflict.
      const counted = await this.models.cases
        .findOneAndUpdate({ _id: id }, { $inc: { timelineSeq: entries.length } }, { session, returnDocument: 'after', projection: { timelineSeq: 1 } })
        .lean();
      if (!counted) throw new Error(`case ${id} does not exist`);
      await this.insertTimeline(session, id, counted.timelineSeq - entries.length + 1, entries);
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

  protected async insertEffects(session: mongo.ClientSession, caseId: string, effects: NewEffect[], at: Date) {
    if (effects.length === 0) return;
    const docs = effects.map(
      (e): EffectDoc => ({
        _id: text(e.id),
        caseId,
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
    await this.models.outbox.insertMany(docs, { session });
  }

  protected async setTimers(session: mongo.ClientSession, caseId: string, timers: Omit<CaseTimer, 'caseId'>[]) {
    if (timers.length === 0) return;
    const writes = timers.map((t) => {
      const fields: Omit<TimerDoc, 'caseId' | 'name'> = { timerId: text(t.timerId), dueAt: instant(t.dueAt), event: toJson(t.event) };
      // The unique (caseId, name) index makes this upsert race-free: one timer per case and name.
      return { updateOne: { filter: { caseId, name: text(t.name) }, update: { $set: fields }, upsert: true } };
    });
    await this.models.timers.bulkWrite(writes, { session, ordered: true });
  }

  protected async insertTask(session: mongo.ClientSession, task: NewTask) {
    if (!(await this.models.schools.exists({ _id: text(task.schoolId) }).session(session))) throw new Error(`no school '${task.schoolId}'`);
    // Upsert with $setOnInsert on the unique _id: a repeat leaves the first task untouched.
    const result = await this.models.tasks.updateOne(
      { _id: text(task.id) },
      {
        $setOnInsert: {
          caseId: optionalText(task.caseId),
          schoolId: text(task.schoolId),
          kind: text(task.kind),
          title: text(task.title),
          dueDate: isoDate(task.dueDate),
          status: 'open',
          assignee: optionalText(task.assignee),
          createdAt: instant(task.createdAt),
          completedAt: null,
          completedBy: null,
          note: null,
        },
      },
      { upsert: true, session },
    );
    return result.upsertedCount === 1;
  }
}
