// Trusts, schools, pupils, contacts and the register: documents, schemas, indexes, converters.
import { Schema } from 'mongoose';
import type { Contact, MarkAmendment, Pupil, School, SchoolPhase, StoredMark, Trust } from '../types.ts';
import { options, fromJson, type IdDoc } from './models-base.ts';

export type TrustDoc = IdDoc<Trust>;
export const trustSchema = new Schema<TrustDoc>({ _id: String, name: String, archivedAt: Date }, options);
trustSchema.index({ name: 1 });
export const toTrust = (d: TrustDoc): Trust => ({ id: d._id, name: d.name, archivedAt: d.archivedAt ?? null });

export interface SchoolDoc {
  _id: string;
  trustId: string;
  name: string;
  workflowId: string;
  localAuthority: string;
  /** JSON text of the school's mailboxes; absent on schools stored before they existed. */
  notifyEmails?: string;
  urn?: string | null;
  laEstab?: string | null;
  phase?: SchoolPhase | null;
  archivedAt?: Date | null;
}
export const schoolSchema = new Schema<SchoolDoc>(
  {
    _id: String,
    trustId: String,
    name: String,
    workflowId: String,
    localAuthority: String,
    notifyEmails: String,
    urn: String,
    laEstab: String,
    phase: String,
    archivedAt: Date,
  },
  options,
);
// As PostgreSQL's schools_urn_key: one school per URN.
schoolSchema.index({ urn: 1 }, { unique: true, partialFilterExpression: { urn: { $type: 'string' } } });
schoolSchema.index({ trustId: 1, name: 1 });
schoolSchema.index({ name: 1 });
export const toSchool = (d: SchoolDoc): School => ({
  id: d._id,
  trustId: d.trustId,
  name: d.name,
  workflowId: d.workflowId,
  localAuthority: d.localAuthority,
  notifyEmails: d.notifyEmails ? (fromJson(d.notifyEmails) as School['notifyEmails']) : {},
  urn: d.urn ?? null,
  laEstab: d.laEstab ?? null,
  phase: d.phase ?? null,
  archivedAt: d.archivedAt ?? null,
});

export type PupilDoc = Pupil;
export const pupilSchema = new Schema<PupilDoc>(
  {
    schoolId: String,
    upn: String,
    forename: String,
    surname: String,
    dateOfBirth: String,
    yearGroup: String,
    vulnerability: [String],
    onRoll: Boolean,
  },
  options,
);
pupilSchema.index({ schoolId: 1, upn: 1 }, { unique: true });
export const toPupil = (d: PupilDoc): Pupil => ({
  schoolId: d.schoolId,
  upn: d.upn,
  forename: d.forename,
  surname: d.surname,
  dateOfBirth: d.dateOfBirth,
  yearGroup: d.yearGroup,
  vulnerability: [...d.vulnerability],
  onRoll: d.onRoll,
});

export type ContactDoc = Contact & {
  /** 1-based order within the pupil's contacts, as given to replaceContacts. */
  position: number;
};
export const contactSchema = new Schema<ContactDoc>(
  {
    schoolId: String,
    upn: String,
    position: Number,
    name: String,
    relationship: String,
    email: String,
    phone: String,
    parentalResponsibility: Boolean,
    livesWith: Boolean,
    address: { type: new Schema({ lines: [String], town: String, postcode: String }, { _id: false }), default: null },
  },
  options,
);
contactSchema.index({ schoolId: 1, upn: 1, position: 1 }, { unique: true });
export const toContact = (d: ContactDoc): Contact => ({
  schoolId: d.schoolId,
  upn: d.upn,
  name: d.name,
  relationship: d.relationship,
  email: d.email ?? null,
  phone: d.phone ?? null,
  parentalResponsibility: d.parentalResponsibility,
  livesWith: d.livesWith,
  address: d.address ? { lines: [...d.address.lines], town: d.address.town, postcode: d.address.postcode } : null,
});

export type MarkDoc = StoredMark & { schoolId: string };
export const markSchema = new Schema<MarkDoc>(
  {
    schoolId: String,
    upn: String,
    date: String,
    session: { type: String, enum: ['AM', 'PM'] },
    code: String,
  },
  options,
);
// Serves the per-pupil listing and the school stream (by UPN, date, session) as well as uniqueness.
markSchema.index({ schoolId: 1, upn: 1, date: 1, session: 1 }, { unique: true });
// The retention purge's per-school date ranges.
markSchema.index({ schoolId: 1, date: 1 });
// The evaluation's look for unauthorised absences reads only N marks.
markSchema.index({ schoolId: 1, upn: 1, date: 1 }, { name: 'marks_n_codes', partialFilterExpression: { code: 'N' } });
export const toMark = (d: MarkDoc): StoredMark => ({ upn: d.upn, date: d.date, session: d.session, code: d.code });

export type AmendmentDoc = MarkAmendment & {
  /** The order written, from the server's `amendments:<school>` counter (see counters.ts). */
  seq: number;
};
export const amendmentSchema = new Schema<AmendmentDoc>(
  {
    seq: Number,
    schoolId: String,
    upn: String,
    date: String,
    session: String,
    originalCode: String,
    newCode: String,
    reason: String,
    amendedBy: String,
    amendedAt: Date,
  },
  options,
);
// Listed in the order written.
amendmentSchema.index({ schoolId: 1, upn: 1, seq: 1 });
amendmentSchema.index({ schoolId: 1, date: 1 });
export const toAmendment = (d: AmendmentDoc): MarkAmendment => ({
  schoolId: d.schoolId,
  upn: d.upn,
  date: d.date,
  session: d.session,
  originalCode: d.originalCode,
  newCode: d.newCode,
  reason: d.reason,
  amendedBy: d.amendedBy,
  amendedAt: d.amendedAt,
});
