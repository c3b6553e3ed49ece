import type { Router } from 'express';
import type { CaseContext } from '../../../domain/case-types.ts';
import { canSeeCase } from '../../../access/scope.ts';
import { LETTER_EDIT_ROLES } from '../../../access/roles.ts';
import { addDays } from '../../../domain/dates.ts';
import { FULL_RATE, REDUCED_RATE } from '../../../domain/penalty-notices.ts';
import { schoolContext } from '../../../register/school-metrics.ts';
import { hasNoTermDates } from '../../../calendars/school-calendars.ts';
import type { CaseRecord, Pupil, School } from '../../../store/types.ts';
import { todayOf } from '../../api/deps.ts';
import { words } from '../../../domain/words.ts';
import { page, type PageDeps } from '../page-context.ts';
import { schoolFigures } from './kept-figures.ts';
import { trendChartSvg } from './trend-chart.ts';
import { casesByGroup, stageFunnel } from './stage-funnel.ts';
import type { SchoolComparison } from './school-comparison.ts';
import { NATIONAL_ABSENCE } from '../../../domain/national-absence.ts';
import { STAGE_GROUP_IDS, STAGE_GROUPS } from '../../../domain/stage-groups.ts';

const contextOf = (record: CaseRecord) => (record.snapshot as { context: CaseContext }).context;
/** A penalty notice the dashboard lists: still to be paid. */
const unpaid = (notice: CaseContext['penaltyNotices'][number]) => notice.status === 'awaitingPayment' || notice.status === 'unpaid';

/** What each kind of task is, as the dashboard counts them. */
const TASK_KINDS: Record<string, string> = {
  'contact-details': 'Contact details to fix',
  'register-chores': 'Register chores (N codes to resolve)',
  'unresolved-n-code': 'Register chores (N codes to resolve)',
  'approval-overdue': 'Approvals overdue',
  'effect-failed': 'Letters or emails that failed',
  'sickness-return': 'Illness returns to the local authority',
  'child-missing-education': 'Child missing education referrals',
};

export function dashboardPage(router: Router, deps: PageDeps): void {
  router.get(
    '/dashboard',
    page(deps, async ({ req, render, access, signedIn }) => {
      const { store } = deps;
      const me = await access();
      const today = todayOf(deps);
      // One read for the schools, not one a school (in the order the person's schools are listed).
      const schoolsById = new Map((await store.listSchools()).map((school) => [school.id, school]));
      const schools = me.caseSchoolIds.map((id) => schoolsById.get(id)).filter((school): school is School => school !== undefined);
      const chosen = schools.find((school) => school.id === req.query.school) ?? null;
      const inView = chosen ? [chosen] : schools;
      const ids = inView.map((school) => school.id);
      const cases = ids.length ? (await store.listCases({ schoolIds: ids, status: 'open', limit: 1_000_000 })).cases.filter((record) => canSeeCase(me, record)) : [];
      const byId = new Map(cases.map((record) => [record.id, record]));
      // It names pupils (notices, overdue tasks): who looked, at which schools, is kept.
      await deps.audit(me.user.id, 'dashboard.read', {}, { schools: ids, cases: cases.length });

      const funnel = stageFunnel(cases);
      const widest = Math.max(1, ...funnel.map((row) => row.count));

      // Names only for the pupils the notices list, not the whole roll.
      const named = cases.filter((record) => contextOf(record).penaltyNotices.some(unpaid));
      const upnsBySchool = new Map<string, string[]>();
      for (const record of named) upnsBySchool.set(record.schoolId, [...(upnsBySchool.get(record.schoolId) ?? []), record.upn]);
      const pupils = new Map<string, Pupil>();
      for (const [id, upns] of upnsBySchool) for (const pupil of await store.listPupils(id, upns)) pupils.set(`${id}/${pupil.upn}`, pupil);
      const nameOf = (record: CaseRecord) => {
        const pupil = pupils.get(`${record.schoolId}/${record.upn}`);
        return pupil ? `${pupil.forename} ${pupil.surname}` : record.upn;
      };
      const notices = cases.flatMap((record) =>
        contextOf(record)
          .penaltyNotices.filter(unpaid)
          .map((notice) => ({
            caseId: record.id,
            pupil: nameOf(record),
            parent: contextOf(record).parents.find((parent) => parent.id === notice.parentId)?.name ?? notice.parentId,
            ...notice,
            reducedUntil: notice.sequence === 1 ? addDays(notice.issuedOn, REDUCED_RATE.days) : null,
            fullUntil: addDays(notice.issuedOn, FULL_RATE.days),
          })),
      );
      const overdueTasks = (await store.listTasks({ schoolIds: ids, status: 'open', dueBefore: addDays(today, -1) })).filter((task) =>
        task.caseId ? byId.has(task.caseId) : me.wholeSchoolIds.has(task.schoolId),
      );
      // Counts, not lists: the tasks themselves are on the work queue and each case's page.
      const overdueByKind = new Map<string, number>();
      for (const task of overdueTasks) overdueByKind.set(task.kind, (overdueByKind.get(task.kind) ?? 0) + 1);
      const overdue = {
        total: overdueTasks.length,
        byKind: [...overdueByKind].map(([kind, count]) => ({ kind, label: TASK_KINDS[kind] ?? words(kind), count })).sort((a, b) => b.count - a.count),
      };

      // Attendance trends need the whole register: only schools the caller sees whole.
      const trends = [];
      const comparisons: { school: School; comparison: SchoolComparison }[] = [];
      for (const school of inView.filter((candidate) => me.wholeSchoolIds.has(candidate.id))) {
        const context = await schoolContext(store, school.id).catch((error: unknown) => {
          if (hasNoTermDates(error)) return null;
          throw error;
        });
        if (!context) {
          trends.push({ school, noTermDates: true });
          continue;
        }
        const { points, comparison } = await schoolFigures(store, context, today);
        comparisons.push({ school, comparison });
        const labels = points.map((point) => point.asOf);
        const last = points.at(-1);
        trends.push({
          school,
          points,
          last,
          comparison,
          attendance: trendChartSvg(`${school.name}: attendance year to date, by week`, labels, [{ name: 'Attendance', css: 's-attendance', values: points.map((p) => p.attendancePct) }], { min: 80, max: 100 }),
          absence: trendChartSvg(
            `${school.name}: persistent and severe absence, share of pupils by week`,
            labels,
            [
              { name: 'Persistent absence', css: 's-persistent', values: points.map((p) => p.persistentPct) },
              { name: 'Severe absence', css: 's-severe', values: points.map((p) => p.severePct) },
            ],
            { min: 0, max: 40 },
          ),
        });
      }
      await render('dashboard.njk', {
        title: chosen ? `Dashboard: ${chosen.name}` : 'Dashboard',
        schools,
        chosen,
        openCases: cases.length,
        funnel: funnel.map((row) => ({ ...row, width: Math.round((100 * row.count) / widest) })),
        groups: STAGE_GROUP_IDS.map((group) => ({ id: group, label: STAGE_GROUPS[group] })),
        // The trust lead's table: each school whole, side by side, against the national figures for its phase.
        comparison: comparisons.map(({ school, comparison }) => {
          const theirs = cases.filter((record) => record.schoolId === school.id);
          return {
            school,
            ...comparison,
            national: comparison.phase ? NATIONAL_ABSENCE.byPhase[comparison.phase] : null,
            cases: theirs.length,
            byGroup: casesByGroup(theirs),
            penaltyNotices: theirs.reduce((sum, record) => sum + contextOf(record).penaltyNotices.length, 0),
            overdue: overdueTasks.filter((task) => task.schoolId === school.id).length,
          };
        }),
        national: NATIONAL_ABSENCE,
        notices,
        overdue,
        trends,
        mayEditLetters: LETTER_EDIT_ROLES.includes(signedIn.user.role),
      });
    }),
  );
}
