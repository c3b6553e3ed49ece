import { type QueryFilter } from 'mongoose';
import { takeSeqs } from './counters.ts';
import { listMessagePage } from './message-page.ts';
import { toJson, toMessage, toUser, toAuthSession, toAudit, type AuditDoc, type MessageDoc } from './models.ts';
import { count, instant, optionalText, text } from './values.ts';
import { type NewMessage, type MessageUpdate, type User, type AuthSession, type MessagePageFilter, type AuditEntry, type AuditFilter, type UserFilter } from '../types.ts';
import { MongoBase } from './base.ts';

/** Letters and emails as made and sent, staff accounts, sessions, sign-in failures and the audit log. */
/** The accounts listUsers asks for: every field given must match (values checked as text, never operators). */
export function userQuery(filter: UserFilter): Record<string, string | boolean> {
  const query: Record<string, string | boolean> = {};
  if (filter.role !== undefined) query.role = text(filter.role);
  if (filter.schoolId !== undefined) query.schoolId = text(filter.schoolId);
  if (filter.trustId !== undefined) query.trustId = text(filter.trustId);
  if (filter.active !== undefined) query.active = filter.active === true;
  return query;
}

export abstract class MongoMessagesAccounts extends MongoBase {
  createMessage(m: NewMessage) {
    // The checks and the write in one transaction: a case purged meanwhile is seen (see README).
    return this.transaction(async (session) => {
      if (!(await this.models.schools.exists({ _id: text(m.schoolId) }).session(session))) throw new Error(`no school '${m.schoolId}'`);
      if (m.caseId != null && !(await this.models.cases.exists({ _id: text(m.caseId) }).session(session))) throw new Error(`no case '${m.caseId}'`);
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
        { upsert: true, session },
      );
      return result.upsertedCount === 1;
    });
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

  async listUsers(filter: UserFilter = {}) {
    return (await this.models.users.find(userQuery(filter)).sort({ name: 1, _id: 1 }).lean()).map(toUser);
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
    // Insertion order from the server's counter: ObjectIds of two processes need not increase.
    const first = await takeSeqs(this.db, 'audit', entries.length);
    const docs = entries.map(
      (e, i): AuditDoc => ({
        _id: text(e.id),
        seq: first + i,
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
}
