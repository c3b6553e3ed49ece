import { z } from 'zod';
import { isoDateSchema, upnSchema } from '../../../register/rows.ts';
import { schoolContext, schoolMetrics } from '../../../register/school-metrics.ts';
import { hasNoTermDates } from '../../../calendars/school-calendars.ts';
import { notFound, type Access } from '../../../access/scope.ts';
import { todayOf, type ApiDeps } from '../deps.ts';

export const PAGE_SIZE = 25;

const page = z.string().regex(/^[1-9]\d{0,5}$/, 'must be a page number from 1').transform(Number);

export const workQueueQuery = z.object({
  school: z.string().min(1).max(100).optional().describe('one school of those you can see'),
  stage: z.string().regex(/^[a-zA-Z0-9.]+$/, 'must be a stage or state name').optional().describe('a stage (stage1b) or state (open.penaltyNotice)'),
  band: z.string().min(1).max(40).optional().describe("the pupil's attendance band today under the school's policy"),
  assignee: z.string().min(1).max(200).optional().describe('cases with an open task for this user id (`me` for yourself)'),
  assigned: z.string().min(1).max(200).optional().describe('cases assigned to this user id (`me` for yourself)'),
  due_before: isoDateSchema.optional().describe('cases with an open task due on or before this date'),
  q: z.string().trim().min(1).max(100).optional().describe('part of the pupil’s name, or their UPN'),
  status: z.enum(['open', 'closed', 'all']).default('open'),
  page: page.default(1),
});
export type WorkQueueQuery = z.output<typeof workQueueQuery>;

/** The pupils whose name contains the search text (or whose UPN it is), among the given schools. */
async function searchedUpns(deps: ApiDeps, schoolIds: string[], q: string): Promise<string[]> {
  const upn = upnSchema.safeParse(q);
  if (upn.success) return [upn.data];
  const needle = q.toLowerCase();
  const found: string[] = [];
  for (const schoolId of schoolIds) {
    for (const pupil of await deps.store.listPupils(schoolId)) if (`${pupil.forename} ${pupil.surname}`.toLowerCase().includes(needle)) found.push(pupil.upn);
  }
  return found;
}

/** The pupils in a band today under their school's policy: the one filter that needs metrics. */
async function upnsInBand(deps: ApiDeps, schoolIds: string[], band: string): Promise<string[]> {
  const found: string[] = [];
  for (const schoolId of schoolIds) {
    const context = await schoolContext(deps.store, schoolId).catch((error: unknown) => {
      // No term dates yet: nothing of the school can be measured, so no pupil is in a band.
      if (hasNoTermDates(error)) return null;
      throw error;
    });
    if (!context) continue;
    for await (const { upn, metrics } of schoolMetrics(deps.store, context, todayOf(deps))) {
      if (metrics.band?.toLowerCase() === band.toLowerCase()) found.push(upn);
    }
  }
  return found;
}

const intersect = (a: string[] | undefined, b: string[]) => (a === undefined ? b : a.filter((item) => b.includes(item)));

/**
 * The caller's work queue: the cases they may see, filtered in the store, overdue first, with the
 * pupil and the next task for the page shown, all in one read.
 */
export async function workQueue(deps: ApiDeps, access: Access, query: WorkQueueQuery) {
  const { store } = deps;
  if (query.school !== undefined && !access.caseSchoolIds.includes(query.school)) throw notFound(`school '${query.school}'`);
  const schoolIds = query.school !== undefined ? [query.school] : access.caseSchoolIds;
  if (schoolIds.length === 0) return { total: 0, page: query.page, pageSize: PAGE_SIZE, cases: [] };
  let upns: string[] | undefined;
  if (query.q !== undefined) upns = await searchedUpns(deps, schoolIds, query.q);
  if (query.band !== undefined) upns = intersect(upns, await upnsInBand(deps, schoolIds, query.band));
  const assignee = query.assignee === 'me' ? access.user.id : query.assignee;
  const assignedTo = query.assigned === 'me' ? access.user.id : query.assigned;
  const { total, lines } = await store.listQueue({
    schoolIds,
    status: query.status === 'all' ? undefined : query.status,
    stage: query.stage,
    upns,
    caseIds: access.referredCaseIds === null ? undefined : [...access.referredCaseIds],
    openTask: assignee !== undefined || query.due_before !== undefined ? { assignee, dueBefore: query.due_before } : undefined,
    assignedTo,
    order: 'dueFirst',
    limit: PAGE_SIZE,
    offset: (query.page - 1) * PAGE_SIZE,
  });
  const names = new Map<string, string>();
  for (const userId of new Set(lines.flatMap((line) => line.assignedTo ?? []))) names.set(userId, (await store.getUser(userId))?.name ?? 'a former member of staff');
  const rows = lines.map((line) => ({
    id: line.id,
    schoolId: line.schoolId,
    upn: line.upn,
    pupilName: line.pupil ? `${line.pupil.forename} ${line.pupil.surname}` : null,
    state: line.state,
    stage: line.stage,
    status: line.status,
    version: line.version,
    updatedAt: line.updatedAt,
    nextTask: line.nextTask,
    assignedTo: line.assignedTo === null ? null : { id: line.assignedTo, name: names.get(line.assignedTo)! },
  }));
  return { total, page: query.page, pageSize: PAGE_SIZE, cases: rows };
}
