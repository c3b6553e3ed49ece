// A school's own calendar: one document per school, its entries inside it, so a save is one atomic write.
import { Schema } from 'mongoose';
import { ENTRY_KINDS, sortEntries, type CalendarEntry } from '../../domain/school-calendar.ts';
import type { StoredSchoolCalendar } from '../types.ts';
import { options } from './models-base.ts';

export interface SchoolCalendarDoc {
  /** The school's id. */
  _id: string;
  revision: number;
  updatedAt: Date;
  updatedBy: string;
  entries: CalendarEntry[];
}

const entrySchema = new Schema<CalendarEntry>(
  { kind: { type: String, enum: ENTRY_KINDS }, start: String, end: String, description: String },
  { ...options, _id: false },
);

export const schoolCalendarSchema = new Schema<SchoolCalendarDoc>(
  { _id: String, revision: Number, updatedAt: Date, updatedBy: String, entries: [entrySchema] },
  options,
);

export function toSchoolCalendar(schoolId: string, d: SchoolCalendarDoc | null): StoredSchoolCalendar {
  if (!d) return { schoolId, entries: [], revision: 0, updatedAt: null, updatedBy: null };
  const entries = d.entries.map(({ kind, start, end, description }) => ({ kind, start, end, description }));
  return { schoolId, entries: sortEntries(entries), revision: d.revision, updatedAt: d.updatedAt, updatedBy: d.updatedBy };
}
