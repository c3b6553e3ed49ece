// Each school's letterhead (one document per school, the logo as binary) and its own wording of
// templates (one document per school and template).
import { Schema } from 'mongoose';
import type { LetterOverride, SchoolLetterhead } from '../types.ts';
import { options } from './models-base.ts';

export interface LetterheadDoc {
  /** The school's id. */
  _id: string;
  address: string[];
  phone: string | null;
  web: string | null;
  logoType: 'image/png' | 'image/jpeg' | null;
  logo: Buffer | null;
  signatoryName: string | null;
  signatoryRole: string | null;
  updatedAt: Date;
  updatedBy: string;
}

export interface LetterOverrideDoc {
  /** `<school id>:<template>`. */
  _id: string;
  schoolId: string;
  template: string;
  source: string;
  updatedAt: Date;
  updatedBy: string;
}

export const letterheadSchema = new Schema<LetterheadDoc>(
  { _id: String, address: [String], phone: String, web: String, logoType: { type: String, enum: ['image/png', 'image/jpeg', null] }, logo: Buffer, signatoryName: String, signatoryRole: String, updatedAt: Date, updatedBy: String },
  options,
);

export const letterOverrideSchema = new Schema<LetterOverrideDoc>({ _id: String, schoolId: String, template: String, source: String, updatedAt: Date, updatedBy: String }, options);
letterOverrideSchema.index({ schoolId: 1, template: 1 });

/** A stored Binary (lean reads) or Buffer, as a Buffer. */
const bufferOf = (value: unknown): Buffer => (Buffer.isBuffer(value) ? value : Buffer.from((value as { buffer: Uint8Array }).buffer));

export function toLetterhead(d: LetterheadDoc): SchoolLetterhead {
  return {
    schoolId: d._id,
    address: [...(d.address ?? [])],
    phone: d.phone ?? null,
    web: d.web ?? null,
    logo: d.logo && d.logoType ? { contentType: d.logoType, bytes: bufferOf(d.logo) } : null,
    signatoryName: d.signatoryName ?? null,
    signatoryRole: d.signatoryRole ?? null,
    updatedAt: d.updatedAt,
    updatedBy: d.updatedBy,
  };
}

export function toLetterOverride(d: LetterOverrideDoc): LetterOverride {
  return { schoolId: d.schoolId, template: d.template, source: d.source, updatedAt: d.updatedAt, updatedBy: d.updatedBy };
}
