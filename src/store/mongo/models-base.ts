import type { mongo } from 'mongoose';
// What every collection's definition shares.

/** Name of the partial unique index that lets a pupil have at most one open case. */
export const OPEN_CASE_INDEX = 'cases_one_open';

// Snapshots, evidence, payloads and timer events are kept as JSON text: they round-trip exactly
// as through PostgreSQL's jsonb (a Date comes back as its ISO string, undefined is dropped), and
// no key inside user data (a '$' or a '.') can be taken for an operator or a path.
export const toJson = (value: unknown): string => JSON.stringify(value ?? null);
export const fromJson = (text: string): unknown => JSON.parse(text);

// Every field is written by this adapter on every insert (the *Doc types say which may be null),
// so no path is marked `required`: mongoose would take '' for missing, where PostgreSQL's NOT NULL
// accepts it. Writing a path the schema does not know is a bug, hence strict 'throw'.
export const options = { versionKey: false, strict: 'throw' } as const;

/**
 * A document kept under the record's own id: the record's fields, with `id` as MongoDB's `_id`.
 * Documents are derived from the contract's records, so a field added to a record shows here.
 */
export type IdDoc<T extends { id: string }> = Omit<T, 'id'> & { _id: string };

/** A model's native collection, keyed by string ids, for bulk operations built by plain functions. */
export const native = (model: { collection: unknown }) => model.collection as mongo.Collection<mongo.Document & { _id: string }>;
