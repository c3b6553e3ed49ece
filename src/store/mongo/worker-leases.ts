import type { Connection, mongo } from 'mongoose';
import type { WorkerBeat } from '../types.ts';
import { text } from './values.ts';

/** `@agendajs/mongo-backend`'s default collection. */
const AGENDA_JOBS = 'agendaJobs';

interface BeatDoc {
  _id: string;
  host: string;
  pid: number;
  startedAt: Date;
  beatAt: Date;
}

const beats = (db: mongo.Db) => db.collection<BeatDoc>('worker_heartbeats');
// Writes that free another worker's work must survive a failover: a rolled-back release is harmless,
// but a rolled-back renewal would let a live worker be overtaken.
const MAJORITY = { writeConcern: { w: 'majority' as const } };

export async function beatWorker(db: mongo.Db, beat: WorkerBeat): Promise<void> {
  await beats(db).updateOne(
    { _id: text(beat.id) },
    { $set: { beatAt: beat.beatAt }, $setOnInsert: { host: beat.host, pid: beat.pid, startedAt: beat.startedAt } },
    { upsert: true, ...MAJORITY },
  );
}

export async function listWorkers(db: mongo.Db): Promise<WorkerBeat[]> {
  const docs = await beats(db).find().sort({ startedAt: 1, _id: 1 }).toArray();
  return docs.map((d) => ({ id: d._id, host: d.host, pid: d.pid, startedAt: d.startedAt, beatAt: d.beatAt }));
}

export async function renewEffects(db: mongo.Db, ids: string[], claimedBy: string, lockedUntil: Date): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db
    .collection<{ _id: string }>('outbox')
    .updateMany({ _id: { $in: ids.map(text) }, status: 'running', claimedBy: text(claimedBy) }, { $set: { lockedUntil } }, MAJORITY);
  return result.modifiedCount;
}

/** One transaction: a dead worker's heartbeat, job locks and claims go together or not at all. */
export async function releaseWorkers(connection: Connection, ids: string[]): Promise<{ jobs: number; effects: number }> {
  if (ids.length === 0) return { jobs: 0, effects: 0 };
  const db = connection.db!;
  const names = ids.map(text);
  return connection.transaction(async (session) => {
    await beats(db).deleteMany({ _id: { $in: names } }, { session });
    const jobs = await db.collection(AGENDA_JOBS).updateMany({ lockedAt: { $ne: null }, lastModifiedBy: { $in: names } }, { $set: { lockedAt: null } }, { session });
    const effects = await db
      .collection<{ _id: string }>('outbox')
      .updateMany({ status: 'running', claimedBy: { $in: names } }, { $set: { status: 'pending', lockedUntil: null, claimedBy: null } }, { session });
    return { jobs: jobs.modifiedCount, effects: effects.modifiedCount };
  });
}
