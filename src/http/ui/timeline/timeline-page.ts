import type { Router } from 'express';
import { z } from 'zod';
import type { TimelineEntry } from '../../../store/types.ts';
import { visibleCase } from '../../../access/scope.ts';
import { caseOutline } from '../../api/cases/case-view.ts';
import { stateLabel } from '../labels.ts';
import { page, type Page, type PageDeps } from '../page-context.ts';
import { TIMELINE_KINDS, timelineItems } from './timeline-entries.ts';
import { timelinePdf } from './timeline-pdf.ts';

const kindFilter = z.object({ kind: z.enum(TIMELINE_KINDS).optional().catch(undefined) });

async function loadTimeline(deps: PageDeps, { api, req, access }: Page) {
  const params = { id: String(req.params.id) };
  // The timeline's own API call checks the case is one the person may see, and records the read.
  const { entries } = await api<{ entries: TimelineEntry[] }>('get', '/api/cases/:id/timeline', { params });
  // Its letters, tasks and pupil as the case's API gives them, without the metrics and the actions
  // allowed now (running the machine per action), which this page does not show.
  const detail = await caseOutline(deps.store, visibleCase(await access(), await deps.store.getCase(params.id), params.id));
  const { kind } = kindFilter.parse(req.query);
  const all = await timelineItems(deps.store, detail, entries, (state) => stateLabel(detail.case.workflowId, state));
  const title = detail.pupil ? `${detail.pupil.forename} ${detail.pupil.surname}` : detail.case.upn;
  return { detail, kind, title, items: kind ? all.filter((item) => item.kind === kind) : all };
}

export function timelinePages(router: Router, deps: PageDeps): void {
  router.get(
    '/cases/:id/timeline',
    page(deps, async (current) => {
      const { detail, kind, title, items } = await loadTimeline(deps, current);
      await current.render('timeline.njk', { title: `Timeline: ${title}`, pupilName: title, detail, kind, kinds: TIMELINE_KINDS, items, stageLabel: stateLabel(detail.case.workflowId, detail.case.state) });
    }),
  );
  router.get(
    '/cases/:id/timeline.pdf',
    page(deps, async (current) => {
      const { detail, title, items } = await loadTimeline(deps, current);
      const pdf = await timelinePdf({ title, school: detail.school.name, upn: detail.case.upn, stage: stateLabel(detail.case.workflowId, detail.case.state), printedAt: deps.clock.now() }, items);
      current.res.set('Cache-Control', 'no-store').type('application/pdf').set('Content-Disposition', `attachment; filename="timeline-${detail.case.upn}.pdf"`).send(pdf);
    }),
  );
}
