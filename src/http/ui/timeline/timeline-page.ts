import type { Router } from 'express';
import { z } from 'zod';
import type { TimelineEntry } from '../../../store/types.ts';
import type { CaseDetail } from '../case/case-pages.ts';
import { stateLabel } from '../labels.ts';
import { page, type Page, type PageDeps } from '../page-context.ts';
import { TIMELINE_KINDS, timelineItems } from './timeline-entries.ts';
import { timelinePdf } from './timeline-pdf.ts';

const kindFilter = z.object({ kind: z.enum(TIMELINE_KINDS).optional().catch(undefined) });

async function loadTimeline(deps: PageDeps, { api, req }: Page) {
  const params = { id: String(req.params.id) };
  const detail = await api<CaseDetail>('get', '/api/cases/:id', { params });
  const { entries } = await api<{ entries: TimelineEntry[] }>('get', '/api/cases/:id/timeline', { params });
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
