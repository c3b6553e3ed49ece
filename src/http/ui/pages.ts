import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';
import type { PageDeps } from './page-context.ts';
import { page, pageErrors } from './page-context.ts';
import { notFound } from '../../access/scope.ts';
import { signInPages } from './sign-in/sign-in-pages.ts';
import { queuePage } from './queue/queue-page.ts';
import { casePages } from './case/case-pages.ts';
import { timelinePages } from './timeline/timeline-page.ts';
import { dashboardPage } from './dashboard/dashboard-page.ts';
import { workflowPages } from './workflows/workflow-pages.ts';
import { outboxPage } from './outbox/outbox-page.ts';
import { approvalPages } from './approvals/approval-pages.ts';
import { calendarPages } from './calendar/calendar-pages.ts';
import { policyPages } from './policy/policy-pages.ts';
import { setupPage } from './sign-in/setup-page.ts';
import { organisationPages } from './organisation/organisation-pages.ts';
import { registerPages } from './register/register-pages.ts';
import { staffPages } from './staff/staff-pages.ts';
import { letterPages } from './letters/letter-pages.ts';

const ASSETS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'assets');
const MERMAID_DIR = path.dirname(createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js'));

/** The web pages: server-rendered HTML over the API's own use cases, with assets served from this service (never a CDN). */
export function pageRouter(deps: PageDeps): Router {
  const router = express.Router();
  router.use('/assets', express.static(ASSETS_DIR, { index: false, maxAge: '1h' }));
  router.get('/assets/mermaid.min.js', (_req, res) => res.sendFile(path.join(MERMAID_DIR, 'mermaid.min.js'), { maxAge: '1d' }));
  router.use(express.urlencoded({ extended: false, limit: '100kb' }));
  signInPages(router, deps);
  queuePage(router, deps);
  casePages(router, deps);
  timelinePages(router, deps);
  dashboardPage(router, deps);
  workflowPages(router, deps);
  outboxPage(router, deps);
  approvalPages(router, deps);
  calendarPages(router, deps);
  policyPages(router, deps);
  setupPage(router, deps);
  organisationPages(router, deps);
  registerPages(router, deps);
  staffPages(router, deps);
  letterPages(router, deps);
  router.use(
    page(deps, async () => {
      throw notFound('page at this address');
    }),
  );
  router.use(pageErrors(deps));
  return router;
}
