import { Types, type Connection, type QueryFilter, type mongo } from 'mongoose';
import { listMessagePage } from './message-page.ts';
import { countExpired, erasePupil, heldMessageIdsBefore, purgeExpiredBatch } from './retention.ts';
import { beginMongoMarksImport } from './marks-import.ts';
import {
  OPEN_CASE_INDEX,
  createModels,
  toAmendment,
  toCase,
  toContact,
  toEffect,
  toJson,
  fromJson,
  toMark,
  toPupil,
  toSchool,
  toTimeline,
  toTimer,
  toTask,
  toMessage,
  toUser,
  toAuthSession,
  toAudit,
  type AuditDoc,
  type MessageDoc,
  type TaskDoc,
  toTrust,
  type CaseDoc,
  type ContactDoc,
  type EffectDoc,
  type Models,
  type PupilDoc,
  type TimelineDoc,
  type TimerDoc,
} from './models.ts';
import { caseStatus, count, dateRange, instant, integer, isoDate, optionalText, text } from './values.ts';
import {
  CaseAlreadyOpen,
  VersionConflict,
  type CaseFilter,
  type CaseStatus,
  type CaseTimer,
  type ClaimOptions,
  type Contact,
  type EffectApproval,
  type EffectDecision,
  type EffectStatus,
  type CaseBatch,
  type CaseRecord,
  type NewCase,
  type NewCaseWrite,
  type SchoolMarksFilter,
  type NewEffect,
  type NewTimelineEntry,
  type Pupil,
  type QueueLine,
  type School,
  type Store,
  type TransitionCommit,
  type NewTask,
  type NewMessage,
  type MessageUpdate,
  type TaskFilter,
  type TaskStatus,
  type Trust,
  type User,
  type AuthSession,
  type MessagePageFilter,
  type AuditEntry,
  type AuditFilter,
  type RetentionKind,
} from '../types.ts';
import type { IsoDate } from '../../domain/types.ts';

// Snapshot reads see one consistent state, and majority writes survive a primary failover, so a
// committed transition is never rolled back.
const TRANSACTION: mongo.TransactionOptions = { readConcern: { level: 'snapshot' }, writeConcern: { w: 'majority' } };

function isDuplicateKeyIn(error: unknown, index: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 11000 && String(message).includes(`index: ${index} `);
}

export class MongoStore implements Store {
  readonly kind = 'mongo' as const;
  /** The native database, for Agenda's `MongoBackend({ mongo: db })`: one mongodb driver for both. */
  readonly db: mongo.Db;
  private readonly models: Models;

  constructor(readonly connection: Connection) {
    if (!connection.db) throw new Error('MongoStore needs an open connection');
    this.db = connection.db;
    this.models = createModels(connection);
  }

  /** Creates the collections and makes their indexes match the models (changed definitions are rebuilt). */
  async syncIndexes() {
    for (const model of Object.values(this.models)) {
      await model.createCollection();
      await model.syncIndexes();
    }
  }

  /** Multi-document writes; the driver re-runs `work` after a transient conflict, so it must be re-runnable. */
  private transaction<T>(work: (session: mongo.ClientSession) => Promise<T>): Promise<T> {
    return this.connection.transaction(work, TRANSACTION);
  }

  async ping() {
    await this.db.command({ ping: 1 });
  }

  async close() {
    await this.connection.close();
  }

  async upsertTrust(trust: Trust) {
    await this.models.trusts.updateOne({ _id: text(trust.id) }, { $set: { name: text(trust.name) } }, { upsert: true });
  }

  async getTrust(id: string) {
    const doc = await this.models.trusts.findById(text(id)).lean();
    return doc ? toTrust(doc) : null;
  }

  async listTrusts() {
    return (await this.models.trusts.find().sort({ name: 1, _id: 1 }).lean()).map(toTrust);
  }

  async upsertSchool(school: School) {
    const trustId = text(school.trustId);
    if (!(await this.models.trusts.exists({ _id: trustId }))) throw new Error(`trust ${trustId} does not exist`);
    const fields = { trustId, name: text(school.name), workflowId: text(school.workflowId), localAuthority: text(school.localAuthority) };
    // As in PostgreSQL: mailboxes left out of an upsert keep what is stored.
    await this.models.schools.updateOne(
      { _id: text(school.id) },
      school.notifyEmails
        ? { $set: { ...fields, notifyEmails: toJson(school.notifyEmails) } }
        : { $set: fields, $setOnInsert: { notifyEmails: toJson({}) } },
      { upsert: true },
    );
  }

  async getSchool(id: string) {
    const doc = await this.models.schools.findById(text(id)).lean();
    return doc ? toSchool(doc) : null;
  }

  async listSchools(filter: { trustId?: string } = {}) {
    const query = filter.trustId == null ? {} : { trustId: text(filter.trustId) };
    return (await this.models.schools.find(query).sort({ name: 1, _id: 1 }).lean()).map(toSchool);
  }

  async upsertPupils(schoolId: string, pupils: Omit<Pupil, 'schoolId'>[]) {
    if (pupils.length === 0) return { inserted: 0, updated: 0 };
    const school = text(schoolId);
    const docs = pupils.map(
      (p): PupilDoc => ({
        schoolId: school,
        upn: text(p.upn),
        forename: text(p.forename),
        surname: text(p.surname),
        dateOfBirth: isoDate(p.dateOfBirth),
        yearGroup: text(p.yearGroup),
        vulnerability: p.vulnerability.map(text),
        onRoll: Boolean(p.onRoll),
      }),
    );
    // PostgreSQL refuses to upsert one row twice in a statement; the same UPN twice is a caller's error.
    const upns = new Set(docs.map((d) => d.upn));
    if (upns.size < docs.length) throw new Error('the same UPN appears more than once in one upsert');
    if (!(await this.models.schools.exists({ _id: school }))) throw new Error(`school ${school} does not exist`);
    return this.transaction(async (session) => {
      const result = await this.models.pupils.bulkWrite(
        docs.map(({ schoolId: _school, upn, ...fields }) => ({
          updateOne: { filter: { schoolId: school, upn }, update: { $set: fields }, upsert: true },
        })),
        { session, ordered: true },
      );
      return { inserted: result.upsertedCount, updated: result.matchedCount };
    });
  }

  async getPupil(schoolId: string, upn: string) {
    const doc = await this.models.pupils.findOne({ schoolId: text(schoolId), upn: text(upn) }).lean();
    return doc ? toPupil(doc) : null;
  }

  async listPupils(schoolId: string, upns?: string[]) {
    const filter = upns === undefined ? { schoolId: text(schoolId) } : { schoolId: text(schoolId), upn: { $in: upns.map(text) } };
    return (await this.models.pupils.find(filter).sort({ upn: 1 }).lean()).map(toPupil);
  }

  async replaceContacts(schoolId: string, contacts: Omit<Contact, 'schoolId'>[]) {
    if (contacts.length === 0) return { pupils: 0, contacts: 0 };
    const school = text(schoolId);
    const position = new Map<string, number>();
    const docs = contacts.map((c): ContactDoc => {
      const upn = text(c.upn);
      const next = (position.get(upn) ?? 0) + 1;
      position.set(upn, next);
      return {
        schoolId: school,
        upn,
        position: next,
        name: text(c.name),
        relationship: text(c.relationship),
        email: optionalText(c.email),
        phone: optionalText(c.phone),
        parentalResponsibility: Boolean(c.parentalResponsibility),
        livesWith: Boolean(c.livesWith),
      };
    });
    const upns = [...position.keys()];
    return this.transaction(async (session) => {
      const known = await this.models.pupils.find({ schoolId: school, upn: { $in: upns } }, { upn: 1 }).session(session).lean();
      const missing = upns.filter((upn) => !known.some((p) => p.upn === upn));
      if (missing.length > 0) throw new Error(`no pupil ${missing.join(', ')} at school ${school}`);
      await this.models.contacts.deleteMany({ schoolId: school, upn: { $in: upns } }, { session });
      await this.models.contacts.insertMany(docs, { session });
      return { pupils: upns.length, contacts: docs.length };
    });
  }

  async listContacts(schoolId: string, upn?: string) {
    const filter = upn === undefined ? { schoolId: text(schoolId) } : { schoolId: text(schoolId), upn: text(upn) };
    return (await this.models.contacts.find(filter).sort({ upn: 1, position: 1 }).lean()).map(toContact);
  }

  beginMarksImport(schoolId: string, meta: { actor: string; reason: string; at: Date }) {
    return beginMongoMarksImport({ db: this.db, models: this.models, transaction: (work) => this.transaction(work) }, schoolId, meta);
  }

  async listMarks(schoolId: string, upn: string, range: { from?: IsoDate; to?: IsoDate } = {}) {
    const marks = await this.models.marks
      .find({ schoolId: text(schoolId), upn: text(upn), ...dateRange(range) })
      .sort({ date: 1, session: 1 })
      .lean();
    return marks.map(toMark);
  }

  async *streamSchoolMarks(schoolId: string, filter: SchoolMarksFilter = {}) {
    // Keyset pagination by pupil keeps memory flat however large the school is.
    const school = text(schoolId);
    const dates = dateRange(filter);
    const codes = filter.codes ? { code: { $in: filter.codes.map(text) } } : {};
    const named = filter.upns ? { $in: filter.upns.map(text) } : {};
    const pageSize = 500;
    let after = '';
    for (;;) {
      const upns = (
        await this.models.pupils.find({ schoolId: school, upn: { ...named, $gt: after } }, { upn: 1 }).sort({ upn: 1 }).limit(pageSize).lean()
      ).map((p) => p.upn);
      if (upns.length === 0) return;
      const marks = await this.models.marks
        .find({ schoolId: school, upn: { $in: upns }, ...dates, ...codes })
        .sort({ upn: 1, date: 1, session: 1 })
        .lean();
      const byPupil = new Map(upns.map((upn) => [upn, [] as ReturnType<typeof toMark>[]]));
      for (const mark of marks) byPupil.get(mark.upn)!.push(toMark(mark));
      for (const [upn, pupilMarks] of byPupil) yield { upn, marks: pupilMarks };
      after = upns[upns.length - 1]!;
    }
  }

  async listAmendments(schoolId: string, upn: string) {
    return (await this.models.amendments.find({ schoolId: text(schoolId), upn: text(upn) }).sort({ _id: 1 }).lean()).map(toAmendment);
  }

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

  private async insertCase(session: mongo.ClientSession, { record, timeline, effects, timers }: NewCaseWrite) {
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

  private async applyCommit(session: mongo.ClientSession, commit: TransitionCommit) {
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
      await this.models.outbox.updateMany(
        { caseId, $or: [{ status: 'held' }, { kind: 'sendLetter', status: { $in: ['pending', 'waiting'] } }] },
        { $set: { status: 'cancelled', lastError: text(commit.cancelUnsent.reason), completedAt: at, lockedUntil: null } },
        { session },
      );
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

  async claimEffects({ now, limit, lockMs }: ClaimOptions) {
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
          { $set: { status: 'running', lockedUntil }, $inc: { attempts: 1 } },
          { sort: { nextAttemptAt: 1, _id: 1 }, returnDocument: 'after' },
        )
        .lean();
      if (!doc) break;
      claimed.push(doc);
    }
    return claimed.map(toEffect);
  }

  async getSetting(key: string) {
    const doc = await this.models.settings.findById(text(key)).lean();
    return doc ? fromJson(doc.value) : null;
  }

  async putSetting(key: string, value: unknown) {
    await this.models.settings.updateOne({ _id: text(key) }, { $set: { value: toJson(value) } }, { upsert: true });
  }

  async createTask(task: NewTask) {
    return (await this.writeCaseBatch({ tasks: [task] })).tasksCreated === 1;
  }

  private async insertTask(session: mongo.ClientSession, task: NewTask) {
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

  async getTask(id: string) {
    const doc = await this.models.tasks.findById(text(id)).lean();
    return doc ? toTask(doc) : null;
  }

  async listTasks(filter: TaskFilter) {
    const query: QueryFilter<TaskDoc> = {};
    if (filter.caseId != null) query.caseId = text(filter.caseId);
    if (filter.caseIds != null) query.caseId = { $in: filter.caseIds.map(text) };
    if (filter.schoolIds != null) query.schoolId = { $in: filter.schoolIds.map(text) };
    if (filter.status != null) query.status = text(filter.status) as TaskStatus;
    if (filter.dueBefore != null) query.dueDate = { $lte: isoDate(filter.dueBefore) };
    return (await this.models.tasks.find(query).sort({ dueDate: 1, createdAt: 1, _id: 1 }).lean()).map(toTask);
  }

  async closeTask(id: string, outcome: { status: 'done' | 'cancelled'; by: string; at: Date; note?: string }) {
    const doc = await this.models.tasks
      .findOneAndUpdate(
        { _id: text(id), status: 'open' },
        { $set: { status: outcome.status === 'done' ? 'done' : 'cancelled', completedBy: text(outcome.by), completedAt: instant(outcome.at), note: optionalText(outcome.note) } },
        { returnDocument: 'after' },
      )
      .lean();
    return doc ? toTask(doc) : null;
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
    if (filter.schoolIds != null) {
      const caseIds = (await this.models.cases.find({ schoolId: { $in: filter.schoolIds.map(text) } }, { _id: 1 }).lean()).map((d) => d._id);
      query.caseId = filter.caseId != null ? { $in: caseIds.filter((id) => id === text(filter.caseId)) } : { $in: caseIds };
    }
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
        const counted = await this.models.cases
          .findOneAndUpdate({ _id: held.caseId }, { $inc: { timelineSeq: 1 } }, { session, returnDocument: 'after', projection: { timelineSeq: 1 } })
          .lean();
        if (counted) await this.insertTimeline(session, held.caseId, counted.timelineSeq, [timeline]);
      }
      return toEffect(updated);
    });
  }

  private async insertTimeline(session: mongo.ClientSession, caseId: string, firstSeq: number, entries: NewTimelineEntry[]) {
    if (entries.length === 0) return;
    const docs = entries.map(
      (e, i): TimelineDoc => ({
        _id: text(e.id),
        caseId,
        seq: firstSeq + i,
        at: instant(e.at),
        actor: text(e.actor),
        type: text(e.type),
        from: optionalText(e.from),
        to: optionalText(e.to),
        evidence: toJson(e.evidence),
      }),
    );
    await this.models.timeline.insertMany(docs, { session });
  }

  private async insertEffects(session: mongo.ClientSession, caseId: string, effects: NewEffect[], at: Date) {
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

  private async setTimers(session: mongo.ClientSession, caseId: string, timers: Omit<CaseTimer, 'caseId'>[]) {
    if (timers.length === 0) return;
    const writes = timers.map((t) => {
      const fields: Omit<TimerDoc, 'caseId' | 'name'> = { timerId: text(t.timerId), dueAt: instant(t.dueAt), event: toJson(t.event) };
      // The unique (caseId, name) index makes this upsert race-free: one timer per case and name.
      return { updateOne: { filter: { caseId, name: text(t.name) }, update: { $set: fields }, upsert: true } };
    });
    await this.models.timers.bulkWrite(writes, { session, ordered: true });
  }

  async createMessage(m: NewMessage) {
    if (!(await this.models.schools.exists({ _id: text(m.schoolId) }))) throw new Error(`no school '${m.schoolId}'`);
    if (m.caseId != null && !(await this.models.cases.exists({ _id: text(m.caseId) }))) throw new Error(`no case '${m.caseId}'`);
    const result = await this.models.messages.updateOne(
      { _id: text(m.id) },
      {
        $setOnInsert: {
          effectId: text(m.effectId),
          caseId: optionalText(m.caseId),
          schoolId: text(m.schoolId),
          template: text(m.template),
          kind: m.kind === 'letter' ? 'letter' : 'notification',
          recipientRole: text(m.recipientRole),
          recipientName: text(m.recipientName),
          recipientEmail: optionalText(m.recipientEmail),
          subject: text(m.subject),
          messageId: text(m.messageId),
          status: m.status === 'printOnly' ? 'printOnly' : 'pending',
          transport: null,
          raw: null,
          pdf: m.pdf == null ? null : Buffer.from(m.pdf),
          error: null,
          createdAt: instant(m.createdAt),
          sentAt: null,
        },
      },
      { upsert: true },
    );
    return result.upsertedCount === 1;
  }

  async getMessage(id: string) {
    const doc = await this.models.messages.findById(text(id)).lean();
    return doc ? toMessage(doc) : null;
  }

  async listMessages(filter: { caseId?: string; effectId?: string; schoolIds?: string[] }) {
    const query: QueryFilter<MessageDoc> = {};
    if (filter.caseId != null) query.caseId = text(filter.caseId);
    if (filter.effectId != null) query.effectId = text(filter.effectId);
    if (filter.schoolIds != null) query.schoolId = { $in: filter.schoolIds.map(text) };
    return (await this.models.messages.find(query).sort({ createdAt: 1, _id: 1 }).lean()).map(toMessage);
  }

  listMessagePage(filter: MessagePageFilter) {
    return listMessagePage(this.models.messages, filter);
  }

  async updateMessage(id: string, update: MessageUpdate) {
    const change =
      update.status === 'sent'
        ? { status: 'sent', transport: text(update.transport), ...(update.raw == null ? {} : { raw: text(update.raw) }), error: null, sentAt: instant(update.at) }
        : { status: update.status === 'failed' ? 'failed' : 'pending', error: text(update.error) };
    const doc = await this.models.messages.findOneAndUpdate({ _id: text(id) }, { $set: change }, { returnDocument: 'after' }).lean();
    return doc ? toMessage(doc) : null;
  }
  async upsertUser(user: User) {
    const fields = {
      email: text(user.email).toLowerCase(),
      name: text(user.name),
      role: text(user.role) as User['role'],
      schoolId: optionalText(user.schoolId),
      trustId: optionalText(user.trustId),
      localAuthority: optionalText(user.localAuthority),
      passwordHash: optionalText(user.passwordHash),
      active: Boolean(user.active),
    };
    // As PostgreSQL's foreign keys: an account names a school or trust that exists.
    if (fields.schoolId !== null && !(await this.models.schools.exists({ _id: fields.schoolId }))) throw new Error(`no school '${fields.schoolId}'`);
    if (fields.trustId !== null && !(await this.models.trusts.exists({ _id: fields.trustId }))) throw new Error(`no trust '${fields.trustId}'`);
    await this.models.users.updateOne({ _id: text(user.id) }, { $set: fields, $setOnInsert: { createdAt: instant(user.createdAt) } }, { upsert: true });
  }

  async getUser(id: string) {
    const doc = await this.models.users.findById(text(id)).lean();
    return doc ? toUser(doc) : null;
  }

  async findUserByEmail(email: string) {
    const doc = await this.models.users.findOne({ email: text(email).toLowerCase() }).lean();
    return doc ? toUser(doc) : null;
  }

  async createSession(session: AuthSession) {
    if (!(await this.models.users.exists({ _id: text(session.userId) }))) throw new Error(`no user '${session.userId}'`);
    await this.models.authSessions.create({
      _id: text(session.idHash),
      userId: text(session.userId),
      csrfToken: text(session.csrfToken),
      createdAt: instant(session.createdAt),
      expiresAt: instant(session.expiresAt),
    });
  }

  async getSession(idHash: string) {
    const doc = await this.models.authSessions.findById(text(idHash)).lean();
    return doc ? toAuthSession(doc) : null;
  }

  async deleteSession(idHash: string) {
    await this.models.authSessions.deleteOne({ _id: text(idHash) });
  }

  async deleteExpiredSessions(now: Date) {
    return (await this.models.authSessions.deleteMany({ expiresAt: { $lte: instant(now) } })).deletedCount;
  }

  async recordLoginFailure(key: string, at: Date) {
    await this.models.loginFailures.create({ key: text(key), at: instant(at) });
  }

  async countLoginFailures(key: string, since: Date) {
    return this.models.loginFailures.countDocuments({ key: text(key), at: { $gt: instant(since) } });
  }

  async clearLoginFailures(key: string) {
    await this.models.loginFailures.deleteMany({ key: text(key) });
  }

  async deleteLoginFailuresBefore(before: Date) {
    return (await this.models.loginFailures.deleteMany({ at: { $lt: instant(before) } })).deletedCount;
  }

  async appendAudit(entries: AuditEntry[]) {
    if (entries.length === 0) return;
    const docs = entries.map(
      (e): AuditDoc => ({
        _id: text(e.id),
        seq: new Types.ObjectId(),
        at: instant(e.at),
        actor: text(e.actor),
        action: text(e.action),
        schoolId: optionalText(e.schoolId),
        caseId: optionalText(e.caseId),
        upn: optionalText(e.upn),
        detail: toJson(e.detail),
      }),
    );
    await this.models.audit.insertMany(docs);
  }

  async listAudit(filter: AuditFilter) {
    const query: QueryFilter<AuditDoc> = {};
    if (filter.actor != null) query.actor = text(filter.actor);
    if (filter.caseId != null) query.caseId = text(filter.caseId);
    if (filter.upn != null) query.upn = text(filter.upn);
    if (filter.schoolIds != null) query.schoolId = { $in: filter.schoolIds.map(text) };
    const at: { $gte?: Date; $lt?: Date } = {};
    if (filter.from != null) at.$gte = instant(filter.from);
    if (filter.to != null) at.$lt = instant(filter.to);
    if (Object.keys(at).length > 0) query.at = at;
    const limit = count(filter.limit ?? 50);
    const [total, docs] = await Promise.all([
      this.models.audit.countDocuments(query),
      limit === 0 ? [] : this.models.audit.find(query).sort({ at: -1, seq: -1 }).skip(count(filter.offset ?? 0)).limit(limit).lean(),
    ]);
    return { total, entries: docs.map(toAudit) };
  }

  async listNotifiedCaseIds(filter: { schoolIds: string[]; recipients: string[] }) {
    const caseIds = (await this.models.cases.find({ schoolId: { $in: filter.schoolIds.map(text) } }, { _id: 1 }).lean()).map((d) => d._id);
    // Payloads are JSON text, so the recipient is read here rather than in the query.
    const recipients = new Set(filter.recipients.map(text));
    const notified = new Set<string>();
    const unsent: EffectStatus[] = ['held', 'rejected', 'cancelled'];
    for (const effect of await this.models.outbox.find({ kind: 'notify', caseId: { $in: caseIds }, status: { $nin: unsent } }, { caseId: 1, payload: 1 }).lean()) {
      const to = (JSON.parse(effect.payload) as { to?: unknown } | null)?.to;
      if (effect.caseId != null && typeof to === 'string' && recipients.has(to)) notified.add(effect.caseId);
    }
    return [...notified].sort();
  }

  async purgeRegisterBefore(date: IsoDate) {
    const before = isoDate(date);
    return this.transaction(async (session) => {
      const marks = await this.models.marks.deleteMany({ date: { $lt: before } }, { session });
      const amendments = await this.models.amendments.deleteMany({ date: { $lt: before } }, { session });
      return { marks: marks.deletedCount, amendments: amendments.deletedCount };
    });
  }

  countExpired(kind: RetentionKind, before: Date) {
    return countExpired(this.models, kind, before);
  }

  purgeExpiredBatch(kind: RetentionKind, before: Date, limit: number) {
    return purgeExpiredBatch(this.models, (work) => this.transaction(work), kind, before, limit);
  }

  erasePupil(schoolId: string, upn: string) {
    return erasePupil(this.models, (work) => this.transaction(work), schoolId, upn);
  }

  heldMessageIdsBefore(before: Date) {
    return heldMessageIdsBefore(this.models, before);
  }
}
