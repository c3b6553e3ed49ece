import { type Connection, type mongo } from 'mongoose';
import { createModels, toJson, type Models, type TimelineDoc } from './models.ts';
import { instant, optionalText, text } from './values.ts';
import { COUNTERS_COLLECTION } from './counters.ts';
import { sideCounterUpdate, sideSeq } from './case-fields.ts';
import { type NewTimelineEntry } from '../types.ts';

// Snapshot reads see one consistent state, and majority writes survive a primary failover, so a
// committed transition is never rolled back.
export const TRANSACTION: mongo.TransactionOptions = { readConcern: { level: 'snapshot' }, writeConcern: { w: 'majority' } };

export function isDuplicateKeyIn(error: unknown, index: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 11000 && String(message).includes(`index: ${index} `);
}

/** What every part of the MongoDB store shares: the connection, its models and transactions. */
export abstract class MongoBase {
  /** The native database, for Agenda's `MongoBackend({ mongo: db })`: one mongodb driver for both. */
  readonly db: mongo.Db;

  readonly models: Models;
  /** Settles when the indexes built in the background after opening are built (see indexes.ts). */
  indexesBuilt: Promise<void> = Promise.resolve();
  /** The periodic sweep of interrupted marks imports (see open.ts), stopped by close(). */
  sweeper: NodeJS.Timeout | null = null;

  constructor(readonly connection: Connection) {
    if (!connection.db) throw new Error('MongoStore needs an open connection');
    this.db = connection.db;
    this.models = createModels(connection);
  }

  /** Multi-document writes; the driver re-runs `work` after a transient conflict, so it must be re-runnable. */
  transaction<T>(work: (session: mongo.ClientSession) => Promise<T>): Promise<T> {
    return this.connection.transaction(work, TRANSACTION);
  }

  async ping() {
    await this.db.command({ ping: 1 });
  }

  async close() {
    if (this.sweeper) clearInterval(this.sweeper);
    await this.connection.close();
  }

  /**
   * Timeline entries written beside the case (a note, a decision, an assignment), after those of
   * the version the case is at. The case document is only read: a page of transitions writing
   * the same case is not made to restart. False when the case does not exist.
   */
  protected async insertTimeline(session: mongo.ClientSession, caseId: string, entries: NewTimelineEntry[], schoolId?: string): Promise<boolean> {
    if (entries.length === 0) return true;
    const found = await this.models.cases.findOne({ _id: caseId, ...(schoolId === undefined ? {} : { schoolId }) }, { version: 1, schoolId: 1 }).session(session).lean();
    if (!found) return false;
    const counter = await this.db
      .collection<{ _id: string; version: number; n: number }>(COUNTERS_COLLECTION)
      .findOneAndUpdate({ _id: `timeline:${caseId}` }, sideCounterUpdate(found.version, entries.length), { session, upsert: true, returnDocument: 'after' });
    const first = counter!.n - entries.length + 1;
    await this.models.timeline.insertMany(timelineDocs({ _id: caseId, schoolId: found.schoolId }, entries, (i) => sideSeq(found.version, first + i)), { session });
    return true;
  }
}

/** A case's timeline entries as documents, each carrying the case's school (the shard key, docs/scaling.md). */
export function timelineDocs({ _id: caseId, schoolId }: { _id: string; schoolId: string }, entries: NewTimelineEntry[], seqOf: (i: number) => number): TimelineDoc[] {
  return entries.map(
    (e, i): TimelineDoc => ({
      _id: text(e.id),
      schoolId,
      caseId,
      seq: seqOf(i),
      at: instant(e.at),
      actor: text(e.actor),
      type: text(e.type),
      from: optionalText(e.from),
      to: optionalText(e.to),
      evidence: toJson(e.evidence),
    }),
  );
}
