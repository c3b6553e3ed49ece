// A school's policy documents: its draft (one per school) and its published versions.
import { Schema } from 'mongoose';
import type { PolicyDraft, PolicyVersion } from '../types.ts';
import { fromJson, options } from './models-base.ts';

export interface PolicyDraftDoc {
  /** The school's id. */
  _id: string;
  /** The document as JSON text, as PostgreSQL keeps jsonb. */
  document: string;
  revision: number;
  updatedAt: Date;
  updatedBy: string;
}

export interface PolicyVersionDoc {
  /** `${schoolId}#${version}`: one document per published version, so a second publish of one number fails. */
  _id: string;
  schoolId: string;
  version: number;
  document: string;
  publishedAt: Date;
  publishedBy: string;
  note: string;
}

export const policyDraftSchema = new Schema<PolicyDraftDoc>({ _id: String, document: String, revision: Number, updatedAt: Date, updatedBy: String }, options);

export const policyVersionSchema = new Schema<PolicyVersionDoc>(
  { _id: String, schoolId: String, version: Number, document: String, publishedAt: Date, publishedBy: String, note: String },
  options,
);
policyVersionSchema.index({ schoolId: 1, version: 1 });

export const toPolicyDraft = (d: PolicyDraftDoc): PolicyDraft => ({ schoolId: d._id, document: fromJson(d.document), revision: d.revision, updatedAt: d.updatedAt, updatedBy: d.updatedBy });

export const toPolicyVersion = (d: PolicyVersionDoc): PolicyVersion => ({
  schoolId: d.schoolId,
  version: d.version,
  document: fromJson(d.document),
  publishedAt: d.publishedAt,
  publishedBy: d.publishedBy,
  note: d.note,
});
