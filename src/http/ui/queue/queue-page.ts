import type { Router } from 'express';
import { words } from '../../../domain/words.ts';
import { WORKFLOWS } from '../../../../workflows/index.ts';
import { todayOf } from '../../api/deps.ts';
import { stateLabel } from '../labels.ts';
import { assignableStaff } from '../../api/cases/assignment-routes.ts';
import { page, type PageDeps } from '../page-context.ts';
import { filterQuery, filtersSchema, filterSummary, forgetFilters, namesFilters, rememberFilters, savedFilters } from './queue-filters.ts';
import { queueRows } from './queue-rows.ts';
import { whyNow } from './why-now.ts';

const PAGE_SIZE = 25;
/** The legal and outcome states every workflow shares, after its own support stages. */
const LEGAL_STATES = ['considering', 'noticeToImprove', 'penaltyNotice', 'attendanceContract', 'educationSupervisionOrder', 'prosecution'];

export function queuePage(router: Router, deps: PageDeps): void {
  router.get(
    '/',
    page(deps, async (current) => {
      const { req, res, render } = current;
      // "Clear" forgets the filters; a bare visit opens the queue as the person left it.
      if (req.query.clear !== undefined) {
        forgetFilters(req, res);
        return res.redirect(303, '/');
      }
      if (!namesFilters(req)) {
        const saved = filterQuery(savedFilters(req));
        if (saved !== '') return res.redirect(303, `/?${saved}${req.query.page ? `&page=${encodeURIComponent(String(req.query.page))}` : ''}`);
      }
      const filters = filtersSchema.parse(req.query);
      rememberFilters(req, res, filters);
      const today = todayOf(deps);
      const { store } = deps;
      const { rows: matching, schools, pupils, pupilOf } = await queueRows(deps, current, filters, today);
      const pages = Math.max(1, Math.ceil(matching.length / PAGE_SIZE));
      const shown = Math.min(filters.page, pages);
      const policies = [...new Set(schools.map((school) => school.workflowId))].map((id) => WORKFLOWS[id]!.policy);
      const allPupils = [...pupils.values()];
      const schoolNames = new Map(schools.map((school) => [school.id, school.name]));
      const onPage = matching.slice((shown - 1) * PAGE_SIZE, shown * PAGE_SIZE);
      const why = await whyNow(store, onPage, today);
      const options = {
        stages: uniqueBy([
          ...policies.flatMap((policy) => policy.stages.map((stage) => ({ value: stage.id, label: stage.name }))),
          ...LEGAL_STATES.map((state) => ({ value: state, label: stateLabel('', state) })),
        ]),
        bands: uniqueBy(policies.flatMap((policy) => policy.bands.map((band) => ({ value: band.name, label: words(band.name) })))),
        years: [...new Set(allPupils.map((pupil) => pupil.yearGroup))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })),
        vulnerabilities: [...new Set(allPupils.flatMap((pupil) => pupil.vulnerability))].sort().map((flag) => ({ value: flag, label: words(flag) })),
      };
      const schoolOptions = schools.map((school) => ({ value: school.id, label: school.name }));
      const assignedOptions = [{ value: 'me', label: 'Me' }, ...(await Promise.all(schools.map((school) => assignableStaff(store, school.id)))).flat().map((user) => ({ value: user.id, label: user.name }))];
      const applied = filterSummary(filters, { school: schoolOptions, stage: options.stages, assigned: assignedOptions });
      const query = filterQuery(filters);
      await render('queue.njk', {
        title: 'Work queue',
        filters,
        applied,
        total: matching.length,
        pages,
        current: shown,
        pageLink: (n: number) => `/?${query}${query ? '&' : ''}page=${n}`,
        manySchools: schools.length > 1,
        schoolOptions,
        assignedOptions,
        rows: onPage.map((row) => ({
          ...row,
          schoolName: schoolNames.get(row.schoolId) ?? row.schoolId,
          stageLabel: stateLabel(schools.find((school) => school.id === row.schoolId)?.workflowId ?? '', row.state),
          yearGroup: pupilOf(row)?.yearGroup ?? '',
          vulnerability: pupilOf(row)?.vulnerability ?? [],
          ...why.get(row.id),
        })),
        today,
        options,
      });
    }),
  );
}

const uniqueBy = (options: { value: string; label: string }[]) => [...new Map(options.map((option) => [option.value, option])).values()];
