// The register's retention purge on MongoDB: per school, in batches of ids read through the
// {schoolId, date} index, each batch its own (majority-acknowledged, see open.ts) delete. No
// transaction grows with the register and no scan reads every mark; a purge interrupted anywhere
// has removed only marks past retention, and running it again removes the rest.
import type { IsoDate } from '../../domain/types.ts';
import type { Models } from './models.ts';

/** Marks or amendments deleted per statement: a few hundred kilobytes of ids. */
export const PURGE_BATCH = 5000;

/** The expired rows of one school, as the {schoolId, date} indexes of both collections read them. */
export const expiredOfSchool = (schoolId: string, before: IsoDate) => ({ schoolId, date: { $lt: before } });

export async function purgeRegisterBatched(models: Models, before: IsoDate, batch = PURGE_BATCH) {
  const removed = { marks: 0, amendments: 0 };
  // Schools are few; marks of a school are reached through its index range only.
  const schools = (await models.schools.find({}, { _id: 1 }).sort({ _id: 1 }).lean()).map((s) => s._id);
  for (const schoolId of schools) {
    for (const [key, model] of [['marks', models.marks], ['amendments', models.amendments]] as const) {
      const collection = model.collection;
      for (;;) {
        const ids = (await collection.find(expiredOfSchool(schoolId, before), { projection: { _id: 1 }, limit: batch }).toArray()).map((d) => d._id);
        if (ids.length === 0) break;
        removed[key] += (await collection.deleteMany({ _id: { $in: ids } })).deletedCount;
        if (ids.length < batch) break;
      }
    }
  }
  return removed;
}
