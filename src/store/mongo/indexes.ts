// Index creation for the MongoDB store. Only indexes that are missing are created: an index the
// models do not name (a DBA's, or another version's during a rolling deploy) is left alone,
// never dropped as syncIndexes() would. Unique indexes, on which correctness rests, are made
// before the store is used; the rest are built in the background while the service runs.
import type { mongo } from 'mongoose';
import type { Models } from './models.ts';
import { ensureImportIndexes } from './marks-import-apply.ts';

export interface WantedIndex {
  collection: string;
  key: Record<string, 1 | -1>;
  options: mongo.CreateIndexesOptions;
}

export interface IndexProgress {
  collection: string;
  name: string;
  event: 'building' | 'built' | 'failed';
  error?: string;
}

/** Agenda's collection on the store's database (MongoBackend's default). */
export const AGENDA_COLLECTION = 'agendaJobs';

/**
 * Agenda's `every()` upserts `{name, type: 'single'}` from every worker at start: with no unique
 * index two workers starting together can both insert, and the job then runs twice for ever.
 * The index's key is exactly the upsert's equality fields, so the server retries a losing upsert
 * as an update instead of failing it.
 */
export const AGENDA_SINGLE_JOB_INDEX: WantedIndex = {
  collection: AGENDA_COLLECTION,
  key: { name: 1, type: 1 },
  options: { name: 'agenda_one_single_job', unique: true, partialFilterExpression: { type: 'single' } },
};

/** Every index the models declare, by collection. */
export function modelIndexes(models: Models): WantedIndex[] {
  return Object.values(models).flatMap((model) =>
    model.schema.indexes().map(([key, options]) => ({
      collection: model.collection.collectionName,
      key: key as Record<string, 1 | -1>,
      options: options as mongo.CreateIndexesOptions,
    })),
  );
}

type ExistingIndex = { key: Record<string, unknown>; partialFilterExpression?: unknown };
const shape = (key: Record<string, unknown>, partial: unknown) => JSON.stringify([Object.entries(key), partial ?? null]);

/** The wanted indexes with no index of the same key (in the same order) and partial filter on their collection. */
export function missingIndexes(wanted: WantedIndex[], existing: ReadonlyMap<string, ExistingIndex[]>): WantedIndex[] {
  return wanted.filter(
    (w) => !(existing.get(w.collection) ?? []).some((e) => shape(e.key, e.partialFilterExpression) === shape(w.key, w.options.partialFilterExpression)),
  );
}

/** An index's name as the server gives it when none is set. */
export const indexName = (w: WantedIndex) => w.options.name ?? Object.entries(w.key).map(([field, dir]) => `${field}_${dir}`).join('_');

/**
 * Creates the collections and the missing indexes. Resolves once the unique ones exist;
 * `background` settles when the others are built (each reported through `onProgress`).
 */
export async function ensureIndexes(db: mongo.Db, models: Models, onProgress: (p: IndexProgress) => void = () => {}) {
  for (const model of Object.values(models)) await model.createCollection();
  await ensureImportIndexes(db);
  const wanted = [...modelIndexes(models), AGENDA_SINGLE_JOB_INDEX];
  const existing = new Map<string, ExistingIndex[]>();
  for (const collection of new Set(wanted.map((w) => w.collection))) {
    existing.set(collection, await db.collection(collection).listIndexes().toArray().catch(() => []));
  }
  const build = async (w: WantedIndex) => {
    const name = indexName(w);
    onProgress({ collection: w.collection, name, event: 'building' });
    try {
      await db.collection(w.collection).createIndex(w.key, { ...w.options, name });
      onProgress({ collection: w.collection, name, event: 'built' });
    } catch (error) {
      onProgress({ collection: w.collection, name, event: 'failed', error: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  };
  const missing = missingIndexes(wanted, existing);
  // Duplicate single jobs left from before the index would make it fail: that is reported, and
  // must not keep the service from starting.
  for (const w of missing.filter((m) => m.options.unique)) await (w === AGENDA_SINGLE_JOB_INDEX ? build(w).catch(() => {}) : build(w));
  const background = (async () => {
    for (const w of missing.filter((m) => !m.options.unique)) await build(w).catch(() => {});
  })();
  return { background };
}
