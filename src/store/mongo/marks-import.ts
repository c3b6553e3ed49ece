import { randomBytes } from 'node:crypto';
import type { mongo } from 'mongoose';
import type { AmendmentDoc, MarkDoc, Models } from './models.ts';
import { instant, integer, isoDate, session as sessionOf, text } from './values.ts';
import type { StagedMarkProblem, MarkRow, MarksImport, MarksImportResult } from '../types.ts';
import type { IsoDate, Session } from '../../domain/types.ts';

/** Staging collections are named `marks_import_<started ms>_<random>`; the time lets stale ones be found. */
const STAGING_PREFIX = 'marks_import_';
// Rows per write: large enough to amortise round trips, small enough that a batch and its
// existing marks stay a few hundred kilobytes whatever the size of the file.
const BATCH = 1000;

interface StagedMark {
  line: number;
  upn: string;
  date: IsoDate;
  session: Session;
  code: string;
}

export interface ImportContext {
  db: mongo.Db;
  models: Models;
  transaction<T>(work: (session: mongo.ClientSession) => Promise<T>): Promise<T>;
}

const sameKey = (a: StagedMark, b: StagedMark) => a.upn === b.upn && a.date === b.date && a.session === b.session;

/**
 * Stages rows in a collection of their own; nothing reaches `marks` until commit, which applies
 * them in one transaction, and abort (or a failed commit) leaves the register exactly as it was.
 *
 * Limits of that one transaction (MongoDB's, not this code's): the server aborts a transaction
 * older than `transactionLifetimeLimitSeconds` (60 s by default) and refuses one whose
 * uncommitted writes outgrow the WiredTiger cache (`TransactionTooLargeForCache`). Unchanged
 * rows are only read, but a first import of millions of marks can exceed either: raise the
 * server's limit for such a load, or import the file in parts (e.g. by year group).
 */
export async function beginMongoMarksImport(
  context: ImportContext,
  schoolId: string,
  meta: { actor: string; reason: string; at: Date },
): Promise<MarksImport> {
  const { db, models } = context;
  const school = text(schoolId);
  const amendment = { reason: text(meta.reason), amendedBy: text(meta.actor), amendedAt: instant(meta.at) };
  const name = `${STAGING_PREFIX}${Date.now()}_${randomBytes(8).toString('hex')}`;
  const staging = db.collection<StagedMark>(name);
  await db.createCollection(name);
  try {
    // Serves the duplicate-session scan, the per-UPN lookups and commit's ordered pass.
    await staging.createIndex({ upn: 1, date: 1, session: 1, line: 1 });
  } catch (error) {
    await staging.drop().catch(() => false);
    throw error;
  }

  let open = true;
  const ensureOpen = () => {
    if (!open) throw new Error('this marks import has already been committed or aborted');
  };
  const finish = async () => {
    if (!open) return;
    open = false;
    // A staging collection that fails to drop must not turn a committed import into an error;
    // dropAbandonedImports collects it later.
    await staging.drop().catch(() => false);
  };

  const marks = db.collection<MarkDoc>(models.marks.collection.collectionName);
  const amendments = db.collection<AmendmentDoc>(models.amendments.collection.collectionName);

  /** Applies one batch of distinct staged marks; returns how many were inserted and amended. */
  async function apply(batch: StagedMark[], session: mongo.ClientSession) {
    const datesByUpn = new Map<string, Set<IsoDate>>();
    for (const row of batch) {
      const dates = datesByUpn.get(row.upn) ?? new Set();
      dates.add(row.date);
      datesByUpn.set(row.upn, dates);
    }
    const existing = new Map<string, string>();
    const found = marks.find(
      { $or: [...datesByUpn].map(([upn, dates]) => ({ schoolId: school, upn, date: { $in: [...dates] } })) },
      { session, projection: { _id: 0, upn: 1, date: 1, session: 1, code: 1 } },
    );
    for await (const mark of found) existing.set(`${mark.upn}\u0000${mark.date}\u0000${mark.session}`, mark.code);

    const writes: mongo.AnyBulkWriteOperation<MarkDoc>[] = [];
    const changed: AmendmentDoc[] = [];
    let inserted = 0;
    for (const row of batch) {
      const key = { schoolId: school, upn: row.upn, date: row.date, session: row.session };
      const original = existing.get(`${row.upn}\u0000${row.date}\u0000${row.session}`);
      if (original === undefined) {
        writes.push({ insertOne: { document: { ...key, code: row.code } } });
        inserted += 1;
      } else if (original !== row.code) {
        writes.push({ updateOne: { filter: key, update: { $set: { code: row.code } } } });
        changed.push({ ...key, originalCode: original, newCode: row.code, ...amendment });
      }
    }
    if (changed.length > 0) await amendments.insertMany(changed, { session });
    if (writes.length > 0) await marks.bulkWrite(writes, { session, ordered: true });
    return { inserted, amended: changed.length };
  }

  return {
    async add(rows: MarkRow[]) {
      ensureOpen();
      // Everything is checked before anything is staged, so a bad row stages none of its batch.
      const staged = rows.map(
        (r): StagedMark => ({ line: integer(r.line), upn: text(r.upn), date: isoDate(r.date), session: sessionOf(r.session), code: text(r.code) }),
      );
      for (let i = 0; i < staged.length; i += BATCH) {
        await staging.insertMany(staged.slice(i, i + BATCH), { ordered: true });
      }
    },

    async problems(limit: number): Promise<StagedMarkProblem[]> {
      ensureOpen();
      const n = Math.max(0, integer(limit));
      if (n === 0) return [];
      const unknown = await staging
        .aggregate<{ line: number; upn: string }>(
          [
            { $group: { _id: '$upn' } },
            {
              $lookup: {
                from: models.pupils.collection.collectionName,
                localField: '_id',
                foreignField: 'upn',
                pipeline: [{ $match: { schoolId: school } }, { $limit: 1 }, { $project: { _id: 1 } }],
                as: 'pupil',
              },
            },
            { $match: { pupil: { $size: 0 } } },
            {
              $lookup: {
                from: name,
                localField: '_id',
                foreignField: 'upn',
                pipeline: [{ $sort: { line: 1 } }, { $limit: n }, { $project: { _id: 0, line: 1, upn: 1 } }],
                as: 'rows',
              },
            },
            { $unwind: '$rows' },
            { $replaceWith: '$rows' },
            { $sort: { line: 1 } },
            { $limit: n },
          ],
          { allowDiskUse: true },
        )
        .toArray();
      const conflicting = await staging
        .aggregate<{ line: number; code: string; firstLine: number; firstCode: string }>(
          [
            {
              $setWindowFields: {
                partitionBy: { upn: '$upn', date: '$date', session: '$session' },
                sortBy: { line: 1 },
                output: {
                  firstLine: { $first: '$line', window: { documents: ['unbounded', 'unbounded'] } },
                  firstCode: { $first: '$code', window: { documents: ['unbounded', 'unbounded'] } },
                },
              },
            },
            { $match: { $expr: { $ne: ['$code', '$firstCode'] } } },
            { $sort: { line: 1 } },
            { $limit: n },
            { $project: { _id: 0, line: 1, code: 1, firstLine: 1, firstCode: 1 } },
          ],
          { allowDiskUse: true },
        )
        .toArray();
      return [
        ...unknown.map((r) => ({ kind: 'notOnRoll' as const, line: r.line, upn: r.upn })),
        ...conflicting.map((r) => ({ kind: 'conflictingMark' as const, line: r.line, code: r.code, firstCode: r.firstCode, firstLine: r.firstLine })),
      ]
        .sort((a, b) => a.line - b.line)
        .slice(0, n);
    },

    async commit(): Promise<MarksImportResult> {
      ensureOpen();
      try {
        const read = await staging.countDocuments();
        // The callback may run again after a transient conflict, so every count starts inside it.
        return await context.transaction(async (session) => {
          let inserted = 0;
          let amended = 0;
          let distinct = 0;
          let previous: StagedMark | undefined;
          let batch: StagedMark[] = [];
          const flush = async () => {
            const applied = await apply(batch, session);
            inserted += applied.inserted;
            amended += applied.amended;
            batch = [];
          };
          // Staging is private to this import, so it is read outside the transaction; in key then
          // line order, a session repeated later in the file is skipped and the first mark wins.
          const rows = staging.find({}, { sort: { upn: 1, date: 1, session: 1, line: 1 }, projection: { _id: 0 } });
          for await (const row of rows) {
            if (previous && sameKey(previous, row)) continue;
            previous = row;
            distinct += 1;
            batch.push(row);
            if (batch.length === BATCH) await flush();
          }
          if (batch.length > 0) await flush();
          return { read, inserted, amended, unchanged: distinct - inserted - amended };
        });
      } finally {
        await finish();
      }
    },

    abort: finish,
  };
}

/** Drops staging collections left by imports whose process died before commit or abort. */
export async function dropAbandonedImports(db: mongo.Db, olderThan: Date) {
  const collections = await db.listCollections({ name: { $regex: `^${STAGING_PREFIX}` } }, { nameOnly: true }).toArray();
  for (const { name } of collections) {
    const started = Number(name.slice(STAGING_PREFIX.length).split('_')[0]);
    if (started < olderThan.getTime()) await db.dropCollection(name);
  }
}
