import { randomBytes } from 'node:crypto';
import { integer, instant, isoDate, session as sessionOf, text } from './values.ts';
import { applyImport, journals, stagingOf, switchImport, type ImportContext } from './marks-import-apply.ts';
import { cleanMark, readRecords, trustedDates, type StagedMark } from './marks-import-plan.ts';
import type { StagedMarkProblem, MarkRow, MarksImport, MarksImportResult, RawMarkRecord } from '../types.ts';

export type { ImportContext } from './marks-import-apply.ts';

const COLUMNS = ['upn', 'date', 'session', 'code'] as const;
// Rows per write: large enough to amortise round trips, small enough to stay a few hundred kilobytes.
const BATCH = 1000;

/**
 * Stages rows in a collection of the import's own, recorded in a journal (`mark_imports`);
 * nothing reaches the register until commit. Commit is one small switch that makes the whole
 * file the register at once, then short chunk transactions fold it into `marks` (see
 * marks-import-apply.ts): no transaction grows with the file, so a trust's year of marks stays
 * inside MongoDB's 60 s transaction lifetime and its cache. Abort, a refused file or a process
 * that dies before the switch leave the register exactly as it was.
 */
export async function beginMongoMarksImport(context: ImportContext, schoolId: string, meta: { actor: string; reason: string; at: Date }): Promise<MarksImport> {
  const { db, models } = context;
  const school = text(schoolId);
  const amendment = { reason: text(meta.reason), amendedBy: text(meta.actor), amendedAt: instant(meta.at) };
  const importId = `${Date.now()}_${randomBytes(8).toString('hex')}`;
  const staging = stagingOf(db, importId);
  await journals(db).insertOne({ _id: importId, schoolId: school, status: 'staging', amendment, read: 0, cursor: null, inserted: 0, amended: 0, distinct: 0, touchedAt: new Date() });
  try {
    await db.createCollection(staging.collectionName);
    // Serves the duplicate-session scan, the per-UPN lookups and the application's key order.
    await staging.createIndex({ upn: 1, date: 1, session: 1, line: 1 });
    await staging.createIndex({ line: 1 }, { partialFilterExpression: { suspect: true } });
  } catch (error) {
    await discard();
    throw error;
  }

  let open = true;
  // Rows from `add` may name pupils not on roll; clean copied rows do not.
  let unchecked = false;
  const ensureOpen = () => {
    if (!open) throw new Error('this marks import has already been committed or aborted');
  };
  /** The sweep takes an import untouched for a while to be dead: every batch says it is not. */
  const touch = () => journals(db).updateOne({ _id: importId, status: 'staging' }, { $set: { touchedAt: new Date() } });
  async function discard() {
    // Only an import never switched is discarded: a switched one is the register now.
    if ((await journals(db).deleteOne({ _id: importId, status: 'staging' })).deletedCount === 1) await staging.drop().catch(() => false);
  }
  const finish = async () => {
    if (!open) return;
    open = false;
    // A staging collection that fails to drop must not turn an abort into an error; the sweep collects it.
    await discard().catch(() => {});
  };
  const stage = async (rows: (StagedMark & { suspect?: true })[]) => {
    for (let i = 0; i < rows.length; i += BATCH) await staging.insertMany(rows.slice(i, i + BATCH), { ordered: false });
    await touch();
  };

  return {
    async add(rows: MarkRow[]) {
      ensureOpen();
      if (rows.length === 0) return;
      unchecked = true;
      // Everything is checked before anything is staged, so a bad row stages none of its batch.
      await stage(rows.map((r): StagedMark => ({ line: integer(r.line), upn: text(r.upn), date: isoDate(r.date), session: sessionOf(r.session), code: text(r.code) })));
    },

    csv: {
      async copy(records, { columns, firstLine }) {
        ensureOpen();
        if (columns.length !== COLUMNS.length || !COLUMNS.every((c) => columns.includes(c))) {
          throw new Error(`marks columns must be ${COLUMNS.join(', ')} in any order, not ${columns.join(', ')}`);
        }
        const onRoll = new Set((await models.pupils.find({ schoolId: school }, { _id: 0, upn: 1 }).lean()).map((p) => p.upn));
        const dates = trustedDates(meta.at.getUTCFullYear());
        let line = Number(firstLine);
        for await (const chunk of records) {
          const read = readRecords(chunk, columns, line);
          line += read.length;
          // Clean records are staged as they are; the rest wait, marked, for the schema (takeSuspects).
          await stage(read.map((r) => cleanMark(r, onRoll, dates) ?? { ...(r as StagedMark), suspect: true as const }));
        }
      },

      async *takeSuspects(batchSize: number): AsyncGenerator<RawMarkRecord[]> {
        let after = 0;
        for (;;) {
          const batch = await staging
            .find({ suspect: true, line: { $gt: after } }, { sort: { line: 1 }, limit: Math.max(1, integer(batchSize)), projection: { _id: 0, line: 1, upn: 1, date: 1, session: 1, code: 1 } })
            .toArray();
          if (batch.length === 0) break;
          after = batch[batch.length - 1]!.line;
          yield batch.map((r) => ({ line: r.line, upn: String(r.upn), date: String(r.date), session: String(r.session), code: String(r.code) }));
        }
        await staging.deleteMany({ suspect: true });
      },
    },

    async problems(limit: number): Promise<StagedMarkProblem[]> {
      ensureOpen();
      const n = Math.max(0, integer(limit));
      if (n === 0) return [];
      await touch();
      const unknown = unchecked
        ? await staging
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
                    from: staging.collectionName,
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
            .toArray()
        : [];
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
        await switchImport(context, importId, school, await staging.countDocuments());
      } catch (error) {
        await finish();
        throw error;
      }
      open = false;
      try {
        return await applyImport(context, importId);
      } catch (error) {
        // Switched, the file is the register; whichever process sweeps next finishes folding it in.
        throw new Error('the marks import was committed, but folding it into the register was interrupted; it will be finished', { cause: error });
      }
    },

    abort: finish,
  };
}
