import type { CaseAssignment, StaffIdentity, StaffToken, StaffUpdate, TokenRedemption, User } from '../types.ts';
import { assignedEntry } from '../assigned-entry.ts';
import { MongoBase } from './base.ts';
import { identityKey, toStaffIdentity, toStaffToken, toUser } from './models.ts';
import { instant, optionalText, text } from './values.ts';

/** Every write that could leave no active admin also writes this setting, so two of them conflict and one retries. */
const ADMIN_GUARD = 'staff.admin-guard';

class LastAdmin extends Error {}
class Inactive extends Error {}

/** Staff accounts' links, single sign-on subjects and case assignments. */
export abstract class MongoStaff extends MongoBase {
  async createStaffToken(token: Omit<StaffToken, 'usedAt'>) {
    await this.transaction(async (session) => {
      await this.models.staffTokens.deleteMany({ userId: text(token.userId), usedAt: null }, { session });
      await this.models.staffTokens.create(
        [{ _id: text(token.hash), userId: text(token.userId), purpose: token.purpose, createdAt: instant(token.createdAt), createdBy: text(token.createdBy), expiresAt: instant(token.expiresAt), usedAt: null }],
        { session },
      );
    });
  }

  async getStaffToken(hash: string) {
    const doc = await this.models.staffTokens.findById(text(hash)).lean();
    return doc ? toStaffToken(doc) : null;
  }

  async redeemStaffToken(hash: string, at: Date, passwordHash: string): Promise<TokenRedemption> {
    return this.transaction(async (session): Promise<TokenRedemption> => {
      // The conditional update is the one use: a second one finds the link used (or conflicts and retries, then does).
      const token = await this.models.staffTokens.findOneAndUpdate({ _id: text(hash), usedAt: null, expiresAt: { $gt: instant(at) } }, { $set: { usedAt: instant(at) } }, { session }).lean();
      if (!token) {
        const known = await this.models.staffTokens.findById(text(hash), null, { session }).lean();
        return { status: !known ? 'missing' : known.usedAt ? 'used' : 'expired' };
      }
      const user = await this.models.users.findOneAndUpdate({ _id: token.userId, active: true }, { $set: { passwordHash: text(passwordHash) } }, { session, returnDocument: 'after' }).lean();
      // Thrown so the transaction aborts: the link stays unused.
      if (!user) throw new Inactive();
      return { status: 'done', user: toUser(user) };
    }).catch((error: unknown) => {
      if (error instanceof Inactive) return { status: 'inactive' } as const;
      throw error;
    });
  }

  async listPendingStaffTokens(userIds: string[], at: Date) {
    const docs = await this.models.staffTokens.find({ userId: { $in: userIds.map(text) }, usedAt: null, expiresAt: { $gt: instant(at) } }).sort({ createdAt: 1, _id: 1 }).lean();
    return docs.map(toStaffToken);
  }

  async updateStaffUser(user: User): Promise<StaffUpdate> {
    try {
      return await this.transaction(async (session) => {
        await this.models.settings.updateOne({ _id: ADMIN_GUARD }, { $set: { value: new Date().toISOString() } }, { session, upsert: true });
        const before = await this.models.users.findById(text(user.id), { role: 1, active: 1 }, { session }).lean();
        if (!before) return 'missing' as const;
        await this.models.users.updateOne(
          { _id: text(user.id) },
          { $set: { name: text(user.name), role: user.role, schoolId: optionalText(user.schoolId), trustId: optionalText(user.trustId), localAuthority: optionalText(user.localAuthority), active: Boolean(user.active) } },
          { session },
        );
        const wasAdmin = before.role === 'admin' && before.active;
        if (wasAdmin && (await this.models.users.countDocuments({ role: 'admin', active: true }, { session })) === 0) throw new LastAdmin();
        if (!user.active) {
          await this.models.authSessions.deleteMany({ userId: text(user.id) }, { session });
          await this.models.staffTokens.deleteMany({ userId: text(user.id), usedAt: null }, { session });
        }
        return 'done' as const;
      });
    } catch (error) {
      // Thrown so the transaction aborts: nothing of a refused change is written.
      if (error instanceof LastAdmin) return 'last-admin';
      throw error;
    }
  }

  async deleteUserSessions(userId: string) {
    return (await this.models.authSessions.deleteMany({ userId: text(userId) })).deletedCount;
  }

  async linkIdentity(identity: StaffIdentity) {
    const key = identityKey(text(identity.issuer), text(identity.subject));
    try {
      await this.models.staffIdentities.create({ _id: key, userId: text(identity.userId), issuer: text(identity.issuer), subject: text(identity.subject), linkedAt: instant(identity.linkedAt) });
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 11000) throw error;
      return (await this.models.staffIdentities.exists({ _id: key, userId: text(identity.userId) })) !== null;
    }
  }

  async findIdentity(issuer: string, subject: string) {
    const doc = await this.models.staffIdentities.findById(identityKey(text(issuer), text(subject))).lean();
    return doc ? toStaffIdentity(doc) : null;
  }

  async listIdentities(userIds: string[]) {
    return (await this.models.staffIdentities.find({ userId: { $in: userIds.map(text) } }).sort({ userId: 1 }).lean()).map(toStaffIdentity);
  }

  async recordSignIn(userId: string, at: Date) {
    await this.models.staffSignIns.updateOne({ _id: text(userId) }, { $max: { at: instant(at) } }, { upsert: true });
  }

  async listLastSignIns(userIds: string[]) {
    return (await this.models.staffSignIns.find({ _id: { $in: userIds.map(text) } }).sort({ _id: 1 }).lean()).map((d) => ({ userId: d._id, at: d.at }));
  }

  async assignCases(assignment: CaseAssignment) {
    return this.transaction(async (session) => {
      const query: Record<string, unknown> = { status: 'open' };
      const ids: unknown[][] = [];
      if (assignment.caseIds) ids.push(assignment.caseIds.map(text));
      if (assignment.from !== undefined) ids.push(await this.models.caseAssignments.distinct('_id', { userId: text(assignment.from) }, { session }));
      if (ids.length > 0) query.$and = ids.map((list) => ({ _id: { $in: list } }));
      if (assignment.schoolIds) query.schoolId = { $in: assignment.schoolIds.map(text) };
      const cases = await this.models.cases.find(query, { _id: 1, schoolId: 1, state: 1 }, { session }).sort({ _id: 1 }).lean();
      const current = new Map(
        (await this.models.caseAssignments.find({ _id: { $in: cases.map((c) => c._id) } }, null, { session }).lean()).map((a) => [a._id, a.userId]),
      );
      const to = assignment.to === null ? null : text(assignment.to);
      const changed = cases.filter((c) => (current.get(c._id) ?? null) !== to);
      for (const c of changed) {
        if (to === null) await this.models.caseAssignments.deleteOne({ _id: c._id }, { session });
        else {
          await this.models.caseAssignments.replaceOne(
            { _id: c._id },
            { _id: c._id, userId: to, assignedAt: instant(assignment.at), assignedBy: text(assignment.actor) },
            { session, upsert: true },
          );
        }
        await this.insertTimeline(session, c._id, [assignedEntry(assignment, c.state, current.get(c._id) ?? null)], c.schoolId);
      }
      return changed.map((c) => c._id);
    });
  }

  async listCaseAssignees(caseIds: string[]) {
    const docs = await this.models.caseAssignments.find({ _id: { $in: caseIds.map(text) } }).sort({ _id: 1 }).lean();
    return docs.map((d) => ({ caseId: d._id, userId: d.userId }));
  }
}
