import { ENTRY_KINDS, type CalendarEntry, type CalendarEntryKind } from '../../domain/school-calendar.ts';
import { isDuplicateKeyIn, MongoBase } from './base.ts';
import { toSchoolCalendar } from './models-calendar.ts';
import { instant, integer, isoDate, text } from './values.ts';

function entryKind(value: unknown): CalendarEntryKind {
  const kind = String(value);
  if (!(ENTRY_KINDS as readonly string[]).includes(kind)) throw new RangeError(`not a calendar entry kind (${ENTRY_KINDS.join(', ')}): ${kind}`);
  return kind as CalendarEntryKind;
}

/** A school's own term dates, INSET days and closures. */
export abstract class MongoCalendars extends MongoBase {
  async getSchoolCalendar(schoolId: string) {
    return toSchoolCalendar(schoolId, await this.models.schoolCalendars.findById(text(schoolId)).lean());
  }

  async saveSchoolCalendar(schoolId: string, entries: CalendarEntry[], meta: { expectedRevision: number; by: string; at: Date }) {
    const id = text(schoolId);
    // As PostgreSQL's foreign key: a calendar belongs to a school that exists.
    if (!(await this.models.schools.exists({ _id: id }))) throw new Error(`school ${id} does not exist`);
    const fields = {
      updatedAt: instant(meta.at),
      updatedBy: text(meta.by),
      entries: entries.map((e) => ({ kind: entryKind(e.kind), start: isoDate(e.start), end: isoDate(e.end), description: text(e.description) })),
    };
    const expected = integer(meta.expectedRevision);
    if (expected === 0) {
      try {
        await this.models.schoolCalendars.create({ _id: id, revision: 1, ...fields });
      } catch (error) {
        if (isDuplicateKeyIn(error, '_id_')) return null;
        throw error;
      }
      return this.getSchoolCalendar(id);
    }
    // One document, one conditional update: a save that lost the race matches nothing.
    const saved = await this.models.schoolCalendars
      .findOneAndUpdate({ _id: id, revision: expected }, { $set: fields, $inc: { revision: 1 } }, { returnDocument: 'after' })
      .lean();
    return saved ? toSchoolCalendar(id, saved) : null;
  }
}
