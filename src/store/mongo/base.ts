import { type Connection, type mongo } from 'mongoose';
import { createModels, toJson, type Models, type TimelineDoc } from './models.ts';
import { instant, optionalText, text } from './values.ts';
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

  protected async insertTimeline(session: mongo.ClientSession, caseId: string, firstSeq: number, entries: NewTimelineEntry[]) {
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
}
