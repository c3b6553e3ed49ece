import express from 'express';
import { pinoHttp } from 'pino-http';
import type { CaseService } from '../cases/case-service.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/types.ts';
import { auditRecorder } from '../access/audit.ts';
import { AppError } from '../errors.ts';
import { errorHandler } from './errors.ts';
import { sessionStore, type Sessions } from './auth/sessions.ts';
import { oidcClient } from './auth/oidc.ts';
import type { OidcSettings } from './auth/auth-config.ts';
import { mountRoutes, route, type AnyRoute } from './api/route.ts';
import { openApiDocument } from './api/openapi.ts';
import { mountDocs } from './api/docs.ts';
import type { DemoClockControl } from './api/deps.ts';
import { authRoutes } from './api/auth/auth-routes.ts';
import { setupRoutes } from './api/auth/setup-routes.ts';
import { organisationRoutes } from './api/organisation/organisation-routes.ts';
import { caseRoutes } from './api/cases/case-routes.ts';
import { pupilRoutes } from './api/pupils/pupil-routes.ts';
import { schoolRoutes } from './api/schools/school-routes.ts';
import { calendarRoutes } from './api/schools/calendar-routes.ts';
import { letterRoutes } from './api/schools/letter-routes.ts';
import { workflowRoutes } from './api/workflows/workflow-routes.ts';
import { policyRoutes } from './api/schools/policy-routes.ts';
import { adminRoutes } from './api/admin/admin-routes.ts';
import { pupilDataRoutes } from './api/admin/pupil-data-routes.ts';
import { approvalRoutes } from './api/approvals/approval-routes.ts';
import { evidenceRoutes } from './api/evidence/evidence-routes.ts';
import { taskRoutes } from './api/tasks/task-routes.ts';
import { evidenceLinkSettings, type EvidenceLinkSettings } from '../evidence/signed-link.ts';
import { loadConfig } from '../config.ts';
import { pageRouter } from './ui/pages.ts';
import type { RegisterFeedSettings } from './ui/register/feed-settings.ts';
import { rateLimit, UNAUTHENTICATED_LIMITS } from './rate-limit.ts';
import { apiCaller } from './ui/api-call.ts';
import { securityHeaders, servedOverHttps } from './security-headers.ts';
import { staffRoutes } from './api/staff/staff-routes.ts';
import { assignmentRoutes } from './api/cases/assignment-routes.ts';
import { staffAccounts, type StaffAccounts } from '../access/staff-accounts.ts';
import { createMailer, staffLinkSender, type Mailer } from '../mail/index.ts';

export interface AppDeps {
  store: Store;
  logger: Logger;
  /** Whether this process runs the worker, and if so whether Agenda is up. */
  worker: { isRunning(): boolean } | null;
  cases: CaseService;
  /** The service clock: "today" for cases and register imports. */
  clock: Clock;
  /** Moves the demo clock (admins); null outside demo mode. */
  demoClock?: DemoClockControl | null;
  /** Single sign-on provider, when configured. */
  oidc?: OidcSettings | null;
  /** Wall-clock time for sessions, rate limits and the audit log; tests inject one. */
  now?: () => Date;
  /**
   * Where evidence-pack links point and the key they are signed with: main.ts passes the parsed
   * configuration's; without them (a registry listed by a test), the environment's, through the same schema.
   */
  evidenceLinks?: EvidenceLinkSettings;
  /** express's `trust proxy` (the TRUST_PROXY setting): which proxies' X-Forwarded-For give the client's address. */
  trustProxy?: number | string[] | false;
  /** The register upload's size cap and the drop folder it names (REGISTER_UPLOAD_MAX_MB, REGISTER_DROP_DIR). */
  registerFeed?: RegisterFeedSettings;
  /** Sends staff their links to choose a password; without one, the configuration's (SMTP_URL, or the embedded mailer). */
  mailer?: Mailer;
}

/** Staff accounts as the API and pages change them, sending links through the app's mailer. */
export function staffAccountsFor(deps: AppDeps): StaffAccounts {
  const now = deps.now ?? (() => new Date());
  let mailer = deps.mailer ?? null;
  const publicUrl = (deps.evidenceLinks ?? evidenceLinkSettings(loadConfig())).publicUrl;
  return staffAccounts({
    store: deps.store,
    now,
    caseNow: () => deps.clock.now(),
    audit: auditRecorder(deps.store, now),
    sendLink: (link) => staffLinkSender((mailer ??= createMailer(loadConfig())), publicUrl)(link),
  });
}

/**
 * Every API route, in one registry: mounted from it, and described from it in /api/openapi.json.
 * The app passes the sessions its middleware reads, so a sign-out here drops the session there.
 */
export function apiRoutes(deps: AppDeps, sessions?: Sessions): AnyRoute[] {
  const now = deps.now ?? (() => new Date());
  const api = { store: deps.store, cases: deps.cases, clock: deps.clock, logger: deps.logger, demoClock: deps.demoClock ?? null };
  const auth = {
    store: deps.store,
    sessions: sessions ?? sessionStore(deps.store, now),
    audit: auditRecorder(deps.store, now),
    now,
    oidc: deps.oidc ? oidcClient(deps.oidc) : null,
  };
  const routes: AnyRoute[] = [
    ...authRoutes(auth),
    ...setupRoutes(auth),
    ...organisationRoutes({ ...api, now }),
    ...caseRoutes(api),
    ...pupilRoutes(api),
    ...schoolRoutes(api),
    ...calendarRoutes(api),
    ...letterRoutes(api),
    ...workflowRoutes(),
    ...policyRoutes(api),
    ...adminRoutes(api),
    ...pupilDataRoutes({ ...api, dataDir: loadConfig().DATA_DIR, pupilYearsFromBirth: loadConfig().RETAIN_LEFT_PUPILS_YEARS_FROM_BIRTH, now }),
    ...approvalRoutes(api),
    ...taskRoutes(api),
    ...staffRoutes({ store: deps.store, staff: staffAccountsFor(deps), now }),
    ...assignmentRoutes({ store: deps.store, clock: deps.clock }),
    ...evidenceRoutes({ ...api, links: deps.evidenceLinks ?? evidenceLinkSettings(loadConfig()), audit: auditRecorder(deps.store, now), now }),
  ];
  let document: unknown;
  routes.push(openApiRoute(() => (document ??= openApiDocument(routes))));
  return routes;
}

function openApiRoute(document: () => unknown): AnyRoute {
  return route({
    method: 'get',
    path: '/api/openapi.json',
    tag: 'meta',
    summary: 'This API description (OpenAPI 3.1); interactive docs at /api/docs',
    public: true,
    responses: { 200: 'the OpenAPI document' },
    handle: document,
  });
}

// pino-http serialises the request when it starts (before routing), the response when it ends:
// the route pattern that answered is known only then, so the response carries it.
function requestForLog(req: { id: unknown; method: string }) {
  return { id: req.id, method: req.method };
}

/** The status, and the route pattern that answered (`/api/pupils/:upn`), never the URL with its values. */
function responseForLog(res: { statusCode?: number; raw?: { locals?: { route?: unknown } } }) {
  const pattern = res.raw?.locals?.route;
  return { statusCode: res.statusCode, route: typeof pattern === 'string' && pattern !== '' ? pattern : '(not a registered route)' };
}

export function createApp(deps: AppDeps): express.Express {
  const now = deps.now ?? (() => new Date());
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('trust proxy', deps.trustProxy ?? false);
  app.use(
    pinoHttp({
      logger: deps.logger,
      // Paths carry UPNs and case ids, query strings names, headers cookies and CSRF tokens:
      // a request is logged as its method and route pattern, a response as its status, no more.
      serializers: { req: requestForLog, res: responseForLog },
    }),
  );
  const publicUrl = (deps.evidenceLinks ?? evidenceLinkSettings(loadConfig())).publicUrl;
  app.use(securityHeaders(publicUrl));
  // Read by cookieOptions: cookies are Secure when people reach the service over HTTPS.
  app.set('https', servedOverHttps(publicUrl));

  app.get('/healthz', async (_req, res) => {
    const database = await deps.store.ping().then(
      () => 'ok' as const,
      () => 'unreachable' as const,
    );
    const agenda = deps.worker ? (deps.worker.isRunning() ? 'running' : 'stopped') : 'not in this process';
    const healthy = database === 'ok' && agenda !== 'stopped';
    res.status(healthy ? 200 : 503).json({ status: healthy ? 'ok' : 'degraded', store: deps.store.kind, database, agenda });
  });

  const signInLimit = rateLimit(UNAUTHENTICATED_LIMITS.signIn, now);
  // Middleware rather than routes: the API's routes are only those its registry declares.
  app.use(['/api/auth/login', '/signin'], (req, res, next) => (req.method === 'POST' ? signInLimit(req, res, next) : next()));
  app.use('/api/auth/oidc', signInLimit);
  app.use(['/api/evidence-links', '/api/message-links'], rateLimit(UNAUTHENTICATED_LIMITS.evidenceLink, now));
  app.use(['/api/password-links', '/set-password', '/api/setup', '/setup'], (req, res, next) => (req.method === 'POST' ? signInLimit(req, res, next) : next()));

  const sessions = sessionStore(deps.store, now);
  app.use('/api', async (req, res, next) => {
    // Personal data: no shared cache may keep an answer.
    res.set('Cache-Control', 'no-store');
    res.locals.signedIn = await sessions.load(req);
    next();
  });
  const routes = apiRoutes(deps, sessions);
  const audit = auditRecorder(deps.store, now);
  const router = express.Router();
  mountDocs(router);
  mountRoutes(router, routes, { store: deps.store, audit });
  app.use(router);
  app.use('/api', () => {
    throw new AppError(404, 'not_found', 'no such API route');
  });
  // The pages call the same routes in-process, so they share the API's validation, access rules and audit.
  app.use(
    pageRouter({ store: deps.store, cases: deps.cases, clock: deps.clock, logger: deps.logger, demoClock: deps.demoClock ?? null, oidc: deps.oidc ?? null, sessions, audit, api: apiCaller(routes, { store: deps.store, audit }), registerFeed: deps.registerFeed }),
  );

  app.use(errorHandler(deps.logger));
  return app;
}
