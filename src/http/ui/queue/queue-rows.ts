// The work queue in the order it is worked: the API's cases under the person's filters, overdue
// first. The queue page shows a page of it; the case page finds the next case in it.
import type { workQueue } from '../../api/cases/work-queue.ts';
import type { Pupil, School } from '../../../store/types.ts';
import type { PageDeps, Page } from '../page-context.ts';
import type { QueueFilters } from './queue-filters.ts';

type QueuePage = Awaited<ReturnType<typeof workQueue>>;
export type QueueRow = QueuePage['cases'][number];

/** Overdue first, then by the next task's due date; cases with nothing due last, most recently changed first. */
function byUrgency(a: QueueRow, b: QueueRow): number {
  const due = (row: QueueRow) => row.nextTask?.dueDate ?? '9999-12-31';
  return due(a).localeCompare(due(b)) || String(b.updatedAt).localeCompare(String(a.updatedAt));
}

export interface Queue {
  rows: QueueRow[];
  schools: School[];
  pupils: Map<string, Pupil>;
  pupilOf(row: Pick<QueueRow, 'schoolId' | 'upn'>): Pupil | undefined;
}

export async function queueRows(deps: PageDeps, { api, access }: Pick<Page, 'api' | 'access'>, filters: QueueFilters, today: string): Promise<Queue> {
  const query = {
    school: filters.school,
    q: filters.q,
    stage: filters.stage,
    band: filters.band,
    assignee: filters.assignee,
    assigned: filters.assigned,
    due_before: filters.due === 'today' ? today : undefined,
    status: filters.status,
  };
  // The API pages its answer; the queue sorts by urgency and filters on the pupil across every page.
  const rows: QueueRow[] = [];
  for (let number = 1; ; number += 1) {
    const answer = await api<QueuePage>('get', '/api/cases', { query: { ...query, page: String(number) } });
    rows.push(...answer.cases);
    if (number * answer.pageSize >= answer.total) break;
  }
  const { store } = deps;
  const schools = (await Promise.all((await access()).caseSchoolIds.map((id) => store.getSchool(id)))).filter((school) => school !== null);
  const pupils = new Map<string, Pupil>();
  for (const schoolId of new Set(rows.map((row) => row.schoolId))) for (const pupil of await store.listPupils(schoolId)) pupils.set(`${schoolId}/${pupil.upn}`, pupil);
  const pupilOf = (row: Pick<QueueRow, 'schoolId' | 'upn'>) => pupils.get(`${row.schoolId}/${row.upn}`);
  const matching = rows
    .filter((row) => filters.year === undefined || pupilOf(row)?.yearGroup === filters.year)
    .filter((row) => filters.vulnerability === undefined || (pupilOf(row)?.vulnerability ?? []).includes(filters.vulnerability))
    .sort(byUrgency);
  return { rows: matching, schools, pupils, pupilOf };
}
