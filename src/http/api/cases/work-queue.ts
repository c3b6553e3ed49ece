import { z } from 'zod';
import type { CaseContext } from '../../../../machines/types.ts';
import { isoDateSchema, upnSchema } from '../../../register/rows.ts';
import { schoolContext, schoolMetrics } from '../../../register/school-metrics.ts';
import { notFound, type Access } from '../../../access/scope.ts';
import type { CaseRecord, Pupil, Task } from '../../../store/types.ts';
import { todayOf, type ApiDeps } from '../deps.ts';

export const PAGE_SIZE = 25;

const page = z.string().regex(/^[1-9]\d{0,5}$/, 'must be a page number from 1').transform(Number);

export const workQueueQuery = z.object({
  school: z.string().min(1).max(100).optional().describe('one school of those you can see'),
  stage: z.string().regex(/^[a-zA-Z0-9.]+$/, 'must be a stage or state name').optional().describe('a stage (stage1b) or state (open.penaltyNotice)'),
  band: z.string().min(1).max(40).optional().describe("the pupil's attendance band today under the school's policy"),
  assignee: z.string().min(1).max(200).optional().describe('cases with an open task for this user id (`me` for yourself)'),
  due_before: isoDateSchema.optional().describe('cases with an open task due on or before this date'),
  q: z.string().trim().min(1).max(100).optional().describe('part of the pupil’s name, or their UPN'),
  status: z.enum(['open', 'closed', 'all']).default('open'),
  page: page.default(1),
});
export type WorkQueueQuery = z.output<typeof workQueueQuery>;

const matchesStage = (record: CaseRecord, stage: string) =>
  record.state === stage || record.state.startsWith(`${stage}.`) || record.state.split('.').includes(stage) || (record.snapshot as { context?: CaseContext }).context?.stage === stage;

/**
 * The caller's work queue: the cases they may see, filtered, with the pupil and the next task.
 * Filters on tasks, names and bands run here over the scoped cases: a school's open cases are
 * hundreds, not millions.
 */
export async function workQueue(deps: ApiDeps, access: Access, query: WorkQueueQuery) {
  const { store } = deps;
  if (query.school !== undefined && !access.caseSchoolIds.includes(query.school)) throw notFound(`school '${query.school}'`);
  const schoolIds = query.school !== undefined ? [query.school] : access.caseSchoolIds;
  if (schoolIds.length === 0) return { total: 0, page: query.page, pageSize: PAGE_SIZE, cases: [] };
  const { cases: scoped } = await store.listCases({ schoolIds, status: query.status === 'all' ? undefined : query.status, limit: 1_000_000 });
  let candidates = scoped.filter((record) => access.referredCaseIds === null || access.referredCaseIds.has(record.id));
  if (query.stage !== undefined) candidates = candidates.filter((record) => matchesStage(record, query.stage!));

  const involved = [...new Set(candidates.map((record) => record.schoolId))];
  const pupils = new Map<string, Pupil>();
  for (const schoolId of involved) for (const pupil of await store.listPupils(schoolId)) pupils.set(`${schoolId}/${pupil.upn}`, pupil);
  const pupilOf = (record: CaseRecord) => pupils.get(`${record.schoolId}/${record.upn}`);
  const openTasks = new Map<string, Task[]>();
  for (const task of await store.listTasks({ schoolIds: involved, status: 'open' })) {
    if (task.caseId) openTasks.set(task.caseId, [...(openTasks.get(task.caseId) ?? []), task]);
  }

  if (query.q !== undefined) {
    const needle = query.q.toLowerCase();
    const upn = upnSchema.safeParse(query.q);
    candidates = candidates.filter((record) => {
      const pupil = pupilOf(record);
      return (upn.success && record.upn === upn.data) || (pupil !== undefined && `${pupil.forename} ${pupil.surname}`.toLowerCase().includes(needle));
    });
  }
  if (query.assignee !== undefined) {
    const assignee = query.assignee === 'me' ? access.user.id : query.assignee;
    candidates = candidates.filter((record) => (openTasks.get(record.id) ?? []).some((task) => task.assignee === assignee));
  }
  if (query.due_before !== undefined) {
    candidates = candidates.filter((record) => (openTasks.get(record.id) ?? []).some((task) => task.dueDate <= query.due_before!));
  }
  if (query.band !== undefined) {
    const bands = new Map<string, string | null>();
    for (const schoolId of new Set(candidates.map((record) => record.schoolId))) {
      for await (const { upn, metrics } of schoolMetrics(store, await schoolContext(store, schoolId), todayOf(deps))) bands.set(`${schoolId}/${upn}`, metrics.band);
    }
    candidates = candidates.filter((record) => bands.get(`${record.schoolId}/${record.upn}`)?.toLowerCase() === query.band!.toLowerCase());
  }

  const rows = candidates.slice((query.page - 1) * PAGE_SIZE, query.page * PAGE_SIZE).map((record) => {
    const pupil = pupilOf(record);
    const next = (openTasks.get(record.id) ?? []).sort((a, b) => a.dueDate.localeCompare(b.dueDate))[0];
    return {
      id: record.id,
      schoolId: record.schoolId,
      upn: record.upn,
      pupilName: pupil ? `${pupil.forename} ${pupil.surname}` : null,
      state: record.state,
      stage: (record.snapshot as { context?: CaseContext }).context?.stage ?? null,
      status: record.status,
      version: record.version,
      updatedAt: record.updatedAt,
      nextTask: next ? { id: next.id, title: next.title, dueDate: next.dueDate, assignee: next.assignee } : null,
    };
  });
  return { total: candidates.length, page: query.page, pageSize: PAGE_SIZE, cases: rows };
}
