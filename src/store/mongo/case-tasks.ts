// Tasks written with a page of case writes, and the due key they keep on their cases.
import type { mongo } from 'mongoose';
import { native, type Models, type TaskDoc } from './models.ts';
import type { NewTask } from '../types.ts';
import { instant, isoDate, optionalText, text } from './values.ts';
import { dueKeyWrites } from './case-fields.ts';

/** Recomputes the due key of these cases from their open tasks, inside the caller's transaction. */
export async function refreshDueKeys(models: Models, session: mongo.ClientSession, caseIds: string[]) {
  if (caseIds.length === 0) return;
  const earliest = await models.tasks.collection
    .aggregate<{ _id: string; due: string }>([{ $match: { caseId: { $in: caseIds }, status: 'open' } }, { $group: { _id: '$caseId', due: { $min: '$dueDate' } } }], { session })
    .toArray();
  await native(models.cases).bulkWrite(dueKeyWrites(caseIds, new Map(earliest.map((e) => [e._id, e.due]))), { session, ordered: false });
}

/**
 * Inserts the tasks whose id is new (a repeat leaves the first untouched), in one bulkWrite,
 * after checking inside the transaction that their schools and cases exist (`created` are the
 * cases this transaction made); returns how many were new.
 */
export async function writeTasks(models: Models, session: mongo.ClientSession, tasks: NewTask[], created: ReadonlySet<string>): Promise<number> {
  if (tasks.length === 0) return 0;
  const schoolIds = [...new Set(tasks.map((t) => text(t.schoolId)))];
  const schools = new Set((await models.schools.find({ _id: { $in: schoolIds } }, { _id: 1 }).session(session).lean()).map((s) => s._id));
  const noSchool = schoolIds.find((id) => !schools.has(id));
  if (noSchool !== undefined) throw new Error(`no school '${noSchool}'`);
  const caseIds = [...new Set(tasks.flatMap((t) => (t.caseId == null ? [] : [text(t.caseId)])))];
  const elsewhere = caseIds.filter((id) => !created.has(id));
  const known = new Set((await models.cases.find({ _id: { $in: elsewhere } }, { _id: 1 }).session(session).lean()).map((c) => c._id));
  const noCase = elsewhere.find((id) => !known.has(id));
  if (noCase !== undefined) throw new Error(`no case '${noCase}'`);
  const writes = tasks.map((task) => {
    const fields: Omit<TaskDoc, '_id'> = {
      caseId: optionalText(task.caseId),
      schoolId: text(task.schoolId),
      kind: text(task.kind),
      title: text(task.title),
      dueDate: isoDate(task.dueDate),
      status: 'open',
      assignee: optionalText(task.assignee),
      createdAt: instant(task.createdAt),
      completedAt: null,
      completedBy: null,
      note: null,
    };
    // Upsert with $setOnInsert on the unique _id: a repeat leaves the first task untouched.
    return { updateOne: { filter: { _id: text(task.id) }, update: { $setOnInsert: fields }, upsert: true } };
  });
  const result = await native(models.tasks).bulkWrite(writes, { session, ordered: true });
  await refreshDueKeys(models, session, caseIds);
  return result.upsertedCount;
}
