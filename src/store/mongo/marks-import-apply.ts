// How a staged MongoDB marks import becomes the register: one small transaction (the switch)
// makes the whole file visible at once; short, resumable chunk transactions then fold it into
// `marks`, and until they finish readers see its staged marks laid over the register
// (overlayMarks). A process that dies before the switch leaves nothing visible (its staging is
// swept); one that dies after it leaves an import any process resumes from its cursor.
import type { mongo } from 'mongoose';
import type { AmendmentDoc, MarkDoc, Models } from './models.ts';
import {
  afterKey,
  chunkWrites,
  existingMarksFilter,
  firstOfEachKey,
  markKeyText,
  type AmendmentFields,
  type MarkKey,
  type StagedMark,
} from './marks-import-plan.ts';
import { isDuplicateKeyIn } from './base.ts';
import { takeSeqs } from './counters.ts';
import type { MarksImportResult } from '../types.ts';

/** Staging collections are named `marks_import_<import id>`; the id starts with the time it began. */
export const STAGING_PREFIX = 'marks_import_';
export const IMPORTS_COLLECTION = 'mark_imports';
/** The partial unique index that lets a school have one switched import being applied at a time. */
const ONE_APPLYING = 'mark_imports_one_applying';
/** Distinct sessions per chunk transaction: far inside MongoDB's 60 s and cache limits. */
export const CHUNK = 2000;
/** An import whose process has not touched it for this long is taken to be dead. */
export const ABANDONED_MS = 15 * 60 * 1000;

export interface ImportJournal {
  _id: string;
  schoolId: string;
  status: 'staging' | 'applying';
  amendment: AmendmentFields;
  /** Rows the file had, set at the switch. */
  read: number;
  cursor: MarkKey | null;
  inserted: number;
  amended: number;
  distinct: number;
  touchedAt: Date;
}

export interface ImportContext {
  db: mongo.Db;
  models: Models;
  transaction<T>(work: (session: mongo.ClientSession) => Promise<T>): Promise<T>;
}

export const journals = (db: mongo.Db) => db.collection<ImportJournal>(IMPORTS_COLLECTION);
export const stagingOf = (db: mongo.Db, importId: string) => db.collection<StagedMark & { suspect?: true }>(`${STAGING_PREFIX}${importId}`);

/** The journal's indexes: one applying import per school, and the sweep's look for stale ones. */
export async function ensureImportIndexes(db: mongo.Db) {
  await journals(db).createIndex({ schoolId: 1 }, { name: ONE_APPLYING, unique: true, partialFilterExpression: { status: 'applying' } });
  await journals(db).createIndex({ status: 1, touchedAt: 1 });
}

class CursorMoved extends Error {}

/**
 * The switch: from here the file is the register. A school applies one import at a time (the
 * partial unique index), so an earlier switched import of the school is finished first.
 */
export async function switchImport(context: ImportContext, importId: string, schoolId: string, read: number) {
  for (;;) {
    const earlier = await journals(context.db).findOne({ schoolId, status: 'applying' });
    if (earlier) await applyImport(context, earlier._id);
    try {
      const switched = await journals(context.db).updateOne(
        { _id: importId, status: 'staging' },
        { $set: { status: 'applying', read, cursor: null, touchedAt: new Date() } },
      );
      if (switched.matchedCount !== 1) throw new Error('this marks import was abandoned before it could be committed');
      return;
    } catch (error) {
      if (!isDuplicateKeyIn(error, ONE_APPLYING)) throw error;
    }
  }
}

/**
 * Folds a switched import into `marks`, one chunk transaction at a time, from its cursor; each
 * chunk moves the cursor in the same transaction, guarded by its old value, so two processes
 * resuming the same import never apply a chunk twice. Returns the import's counts.
 */
export async function applyImport(context: ImportContext, importId: string): Promise<MarksImportResult> {
  const { db, models } = context;
  const staging = stagingOf(db, importId);
  const marks = db.collection<MarkDoc>(models.marks.collection.collectionName);
  const amendments = db.collection<AmendmentDoc>(models.amendments.collection.collectionName);
  for (;;) {
    const journal = await journals(db).findOne({ _id: importId });
    if (!journal) throw new Error(`marks import ${importId} is not known`);
    if (journal.status !== 'applying') throw new Error(`marks import ${importId} was never committed`);
    // Staging is immutable after the switch, so it is read outside the chunk's transaction.
    const rows = await staging
      .find(afterKey(journal.cursor), { sort: { upn: 1, date: 1, session: 1, line: 1 }, projection: { _id: 0 }, limit: CHUNK * 2 })
      .toArray();
    const chunk = firstOfEachKey(rows).slice(0, CHUNK);
    if (chunk.length === 0) {
      await journals(db).deleteOne({ _id: importId, status: 'applying' });
      await staging.drop().catch(() => false);
      return { read: journal.read, inserted: journal.inserted, amended: journal.amended, unchanged: journal.distinct - journal.inserted - journal.amended };
    }
    const last = chunk[chunk.length - 1]!;
    try {
      await context.transaction(async (session) => {
        const existing = new Map<string, string>();
        for await (const m of marks.find(existingMarksFilter(journal.schoolId, chunk), { session, projection: { _id: 0, upn: 1, date: 1, session: 1, code: 1 } })) {
          existing.set(markKeyText(m), m.code);
        }
        const writes = chunkWrites(journal.schoolId, chunk, existing, journal.amendment);
        if (writes.amendments.length > 0) {
          // One import of a school is applied at a time, so its counter is contended by no one else.
          const first = await takeSeqs(db, `amendments:${journal.schoolId}`, writes.amendments.length, session);
          await amendments.insertMany(writes.amendments.map((a, i) => ({ ...a, seq: first + i })), { session });
        }
        if (writes.marks.length > 0) await marks.bulkWrite(writes.marks, { session, ordered: false });
        const moved = await journals(db).updateOne(
          { _id: importId, cursor: journal.cursor },
          {
            $set: { cursor: { upn: last.upn, date: last.date, session: last.session }, touchedAt: new Date() },
            $inc: { inserted: writes.inserted, amended: writes.amended, distinct: chunk.length },
          },
          { session },
        );
        if (moved.matchedCount !== 1) throw new CursorMoved();
      });
    } catch (error) {
      // Another process applied this chunk first: read the cursor again and go on from there.
      if (!(error instanceof CursorMoved)) throw error;
    }
  }
}

/** The school's import being applied, if any: readers lay its staged marks over the register. */
export async function applyingImport(db: mongo.Db, schoolId: string): Promise<Pick<ImportJournal, '_id' | 'cursor'> | null> {
  return journals(db).findOne({ schoolId, status: 'applying' }, { projection: { _id: 1, cursor: 1 } });
}

/** The staged marks of an applying import not yet folded into `marks`, for the readers' overlay. */
export async function pendingMarks(db: mongo.Db, pending: Pick<ImportJournal, '_id' | 'cursor'>, filter: Record<string, unknown>): Promise<StagedMark[]> {
  const after = afterKey(pending.cursor);
  return stagingOf(db, pending._id)
    .find({ $and: [filter, after] }, { sort: { upn: 1, date: 1, session: 1, line: 1 }, projection: { _id: 0 } })
    .toArray();
}

/**
 * Staging left by imports whose process died: before the switch it is dropped (nothing was
 * visible); after it, the import is finished. A staging collection with no journal (from before
 * journals) is dropped once older than ABANDONED_MS by the time in its name.
 */
export async function sweepImports(context: ImportContext, now = new Date()) {
  const { db } = context;
  const stale = new Date(now.getTime() - ABANDONED_MS);
  for (const journal of await journals(db).find({ touchedAt: { $lt: stale } }).toArray()) {
    if (journal.status === 'applying') await applyImport(context, journal._id);
    else if ((await journals(db).deleteOne({ _id: journal._id, status: 'staging', touchedAt: { $lt: stale } })).deletedCount === 1) {
      await stagingOf(db, journal._id).drop().catch(() => false);
    }
  }
  const known = new Set((await journals(db).find({}, { projection: { _id: 1 } }).toArray()).map((j) => j._id));
  for (const { name } of await db.listCollections({ name: { $regex: `^${STAGING_PREFIX}` } }, { nameOnly: true }).toArray()) {
    const id = name.slice(STAGING_PREFIX.length);
    if (!known.has(id) && Number(id.split('_')[0]) < stale.getTime()) await db.dropCollection(name).catch(() => false);
  }
}
