// A school's column mapping per kind of register file: one document per school and kind. The
// columns are a list of {from, to}, never an object keyed by the file's names (a '.' or a '$' in
// an MIS column name would be taken for a path or an operator).
import { Schema } from 'mongoose';
import { REGISTER_KINDS, type ColumnRename, type RegisterKind, type RegisterMapping } from '../types.ts';
import { options } from './models-base.ts';

export interface RegisterMappingDoc {
  /** `<school id>:<kind>`. */
  _id: string;
  schoolId: string;
  kind: RegisterKind;
  preset: string | null;
  columns: ColumnRename[];
  updatedAt: Date;
  updatedBy: string;
}

const renameSchema = new Schema<ColumnRename>({ from: String, to: String }, { ...options, _id: false });

export const registerMappingSchema = new Schema<RegisterMappingDoc>(
  { _id: String, schoolId: String, kind: { type: String, enum: REGISTER_KINDS }, preset: String, columns: [renameSchema], updatedAt: Date, updatedBy: String },
  options,
);

export function toRegisterMapping(d: RegisterMappingDoc): RegisterMapping {
  return { schoolId: d.schoolId, kind: d.kind, preset: d.preset ?? null, columns: d.columns.map(({ from, to }) => ({ from, to })), updatedAt: d.updatedAt, updatedBy: d.updatedBy };
}
