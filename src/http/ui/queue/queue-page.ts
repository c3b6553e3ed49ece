import type { Router } from 'express';
import { z } from 'zod';
import { words } from '../../../domain/words.ts';
import { WORKFLOWS } from '../../../../workflows/index.ts';
import type { Pupil } from '../../../store/types.ts';
import { todayOf } from '../../api/deps.ts';
import type { workQueue } from '../../api/cases/work-queue.ts';
import { stateLabel } from '../labels.ts';
import { assignableStaff } from '../../api/cases/assignment-routes.ts';
import { page, type PageDeps } from '../page-context.ts';

type QueuePage = Awaited<ReturnType<typeof workQueue>>;
type QueueRow = QueuePage['cases'][number];

const PAGE_SIZE = 25;
/** The legal and outcome states every workflow shares, after its own support stages. */
const LEGAL_STATES = ['considering', 'noticeToImprove', 'penaltyNotice', 'attendanceContract', 'educationSupervisionOrder', 'prosecution'];

const optional = z.string().trim().max(100).optional().transform((value) => (value ? value : undefined));
const filtersSchema = z.object({
  school: optional,
  q: optional,
  stage: optional,
  band: optional,
  year: optional,
  vulnerability: optional,
  assignee: z.enum(['me']).optional().catch(undefined),
  /** The case's assignee: `me` or a member of staff's id. */
  assigned: optional,
  due: z.enum(['today']).optional().catch(undefined),
  status: z.enum(['open', 'closed', 'all']).catch('open'),
  page: z.coerce.number().int().min(1).catch(1),
});

/** Overdue first, then by the next task's due date; cases with nothing due last, most recently changed first. */
function byUrgency(a: QueueRow, b: QueueRow): number {
  const due = (row: QueueRow) => row.nextTask?.dueDate ?? '9999-12-31';
  return due(a).localeCompare(due(b)) || String(b.updatedAt).localeCompare(String(a.updatedAt));
}

export function queuePage(router: Router, deps: PageDeps): void {
  router.get(
    '/',
    page(deps, async ({ req, render, api, access }) => {
      const filters = filtersSchema.parse(req.query);
      const today = todayOf(deps);
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
      const pupilOf = (row: QueueRow) => pupils.get(`${row.schoolId}/${row.upn}`);
      const matching = rows
        .filter((row) => filters.year === undefined || pupilOf(row)?.yearGroup === filters.year)
        .filter((row) => filters.vulnerability === undefined || (pupilOf(row)?.vulnerability ?? []).includes(filters.vulnerability))
        .sort(byUrgency);
      const pages = Math.max(1, Math.ceil(matching.length / PAGE_SIZE));
      const current = Math.min(filters.page, pages);
      const policies = [...new Set(schools.map((school) => school.workflowId))].map((id) => WORKFLOWS[id]!.policy);
      const allPupils = [...pupils.values()];
      const schoolNames = new Map(schools.map((school) => [school.id, school.name]));
      await render('queue.njk', {
        title: 'Work queue',
        filters,
        total: matching.length,
        pages,
        current,
        pageLink: (n: number) => `/?${new URLSearchParams({ ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)])), page: String(n) })}`,
        manySchools: schools.length > 1,
        schoolOptions: schools.map((school) => ({ value: school.id, label: school.name })),
        assignedOptions: [{ value: 'me', label: 'Me' }, ...(await Promise.all(schools.map((school) => assignableStaff(store, school.id)))).flat().map((user) => ({ value: user.id, label: user.name }))],
        rows: matching.slice((current - 1) * PAGE_SIZE, current * PAGE_SIZE).map((row) => ({
          ...row,
          schoolName: schoolNames.get(row.schoolId) ?? row.schoolId,
          stageLabel: stateLabel(schools.find((school) => school.id === row.schoolId)?.workflowId ?? '', row.state),
          yearGroup: pupilOf(row)?.yearGroup ?? '',
          vulnerability: pupilOf(row)?.vulnerability ?? [],
          overdue: row.nextTask !== null && row.nextTask.dueDate < today,
          dueToday: row.nextTask !== null && row.nextTask.dueDate === today,
        })),
        options: {
          stages: uniqueBy(
            [...policies.flatMap((policy) => policy.stages.map((stage) => ({ value: stage.id, label: stage.name }))), ...LEGAL_STATES.map((state) => ({ value: state, label: stateLabel('', state) }))],
          ),
          bands: uniqueBy(policies.flatMap((policy) => policy.bands.map((band) => ({ value: band.name, label: words(band.name) })))),
          years: [...new Set(allPupils.map((pupil) => pupil.yearGroup))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })),
          vulnerabilities: [...new Set(allPupils.flatMap((pupil) => pupil.vulnerability))].sort().map((flag) => ({ value: flag, label: words(flag) })),
        },
      });
    }),
  );
}

const uniqueBy = (options: { value: string; label: string }[]) => [...new Map(options.map((option) => [option.value, option])).values()];
