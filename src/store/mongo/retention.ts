// Retention for MongoDB: the same rules as src/store/postgres/retention.ts, one batch per transaction.
import type { mongo } from 'mongoose';
import type { Models } from './models.ts';
import type { RetentionKind } from '../types.ts';
import { COUNTERS_COLLECTION } from './counters.ts';

type Transaction = <T>(work: (session: mongo.ClientSession) => Promise<T>) => Promise<T>;

/** The keys of expired rows of `kind`, oldest-id first (the same order PostgreSQL uses), at most `limit`. */
async function candidates(models: Models, kind: RetentionKind, before: Date, limit: number, session?: mongo.ClientSession): Promise<string[]> {
  if (kind === 'cases') {
    const rows = await models.cases.find({ status: 'closed', updatedAt: { $lt: before } }, { _id: 1 }, { session }).sort({ _id: 1 }).limit(limit).lean();
    return rows.map((r) => String(r._id));
  }
  if (kind === 'audit') {
    const rows = await models.audit.find({ at: { $lt: before } }, { _id: 1 }, { session }).sort({ seq: 1 }).limit(limit).lean();
    return rows.map((r) => String(r._id));
  }
  if (kind === 'letters') {
    const keys: string[] = [];
    // Letters of open cases wait for their case; scan in id order, skipping those.
    for await (const m of models.messages.find({ createdAt: { $lt: before } }, { _id: 1, caseId: 1 }, { session }).sort({ _id: 1 }).lean().cursor()) {
      if (m.caseId && (await models.cases.exists({ _id: m.caseId, status: 'open' }).session(session ?? null))) continue;
      keys.push(String(m._id));
      if (keys.length >= limit) break;
    }
    return keys;
  }
  const keys: string[] = [];
  const dob = before.toISOString().slice(0, 10);
  for await (const p of models.pupils.find({ onRoll: false, dateOfBirth: { $lt: dob } }, { schoolId: 1, upn: 1 }, { session }).sort({ schoolId: 1, upn: 1 }).lean().cursor()) {
    if (await models.cases.exists({ schoolId: p.schoolId, upn: p.upn, status: 'open' }).session(session ?? null)) continue;
    keys.push(`${p.schoolId}/${p.upn}`);
    if (keys.length >= limit) break;
  }
  return keys;
}

export async function countExpired(models: Models, kind: RetentionKind, before: Date): Promise<number> {
  return (await candidates(models, kind, before, Number.MAX_SAFE_INTEGER)).length;
}

async function deleteCases(models: Models, ids: string[], session: mongo.ClientSession): Promise<void> {
  const byCase = { caseId: { $in: ids } };
  await models.timeline.deleteMany(byCase, { session });
  await models.timers.deleteMany(byCase, { session });
  await models.outbox.deleteMany(byCase, { session });
  await models.tasks.deleteMany(byCase, { session });
  await models.messages.deleteMany(byCase, { session });
  await models.caseAssignments.deleteMany({ _id: { $in: ids } }, { session });
  await models.cases.db.db!.collection<{ _id: string }>(COUNTERS_COLLECTION).deleteMany({ _id: { $in: ids.map((id) => `timeline:${id}`) } }, { session });
  await models.cases.deleteMany({ _id: { $in: ids }, status: 'closed' }, { session });
}

/** A pupil and everything held about them except the audit log: closed cases, register, contacts. */
export async function erasePupilDocs(models: Models, schoolId: string, upn: string, session: mongo.ClientSession): Promise<void> {
  const cases = await models.cases.find({ schoolId, upn }, { _id: 1, status: 1 }, { session }).lean();
  if (cases.some((c) => c.status === 'open')) throw new Error('pupil has an open case');
  await deleteCases(models, cases.map((c) => String(c._id)), session);
  await models.marks.deleteMany({ schoolId, upn }, { session });
  await models.amendments.deleteMany({ schoolId, upn }, { session });
  await models.contacts.deleteMany({ schoolId, upn }, { session });
  await models.pupils.deleteMany({ schoolId, upn }, { session });
}

export function purgeExpiredBatch(models: Models, transaction: Transaction, kind: RetentionKind, before: Date, limit: number): Promise<number> {
  return transaction(async (session) => {
    const keys = await candidates(models, kind, before, limit, session);
    if (keys.length === 0) return 0;
    if (kind === 'cases') await deleteCases(models, keys, session);
    else if (kind === 'letters') await models.messages.deleteMany({ _id: { $in: keys } }, { session });
    else if (kind === 'audit') await models.audit.deleteMany({ _id: { $in: keys } }, { session });
    else {
      for (const key of keys) {
        const slash = key.indexOf('/');
        await erasePupilDocs(models, key.slice(0, slash), key.slice(slash + 1), session);
      }
    }
    return keys.length;
  });
}

export function erasePupil(models: Models, transaction: Transaction, schoolId: string, upn: string): Promise<'erased' | 'open-case' | 'missing'> {
  return transaction(async (session) => {
    if (!(await models.pupils.exists({ schoolId, upn }).session(session))) return 'missing';
    if (await models.cases.exists({ schoolId, upn, status: 'open' }).session(session)) return 'open-case';
    await erasePupilDocs(models, schoolId, upn, session);
    return 'erased';
  });
}

export async function heldMessageIdsBefore(models: Models, before: Date): Promise<string[]> {
  const rows = await models.messages.find({ createdAt: { $lt: before } }, { messageId: 1 }).lean();
  return rows.map((r) => String(r.messageId));
}
