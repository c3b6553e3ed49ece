import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import request from 'supertest';
import { apiRoutes } from '../../src/http/app.ts';
import { createLogger } from '../../src/logger.ts';
import { createCaseService } from '../../src/cases/case-service.ts';
import { createWorld, emailOf, PASSWORD, SCHOOLS, sessionCookie, type SchoolKey, type UserKey, type World } from '../integration/api/world.ts';
import { reportFigures } from './support/figures.ts';
import { saveSchoolCalendar } from '../../src/calendars/school-calendars.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createMailer } from '../../src/mail/index.ts';
import { WORKFLOWS } from '../../workflows/index.ts';
import { templateSource } from '../../src/letters/render.ts';
import { pngOf } from '../support/png.ts';

type Verdict = 'ok' | 'denied';
interface Target {
  school: SchoolKey;
  caseId: string;
  upn: string;
  heldEffectId: string | null;
}
interface RouteCase {
  /** `METHOD path` as the registry declares it. */
  route: string;
  request(t: Target, user: UserKey): { path: string; body?: object } | null;
  /** Whether `user` may do this to a target in `school`; denied must answer 403 or 404 and show nothing of it. */
  verdict(user: UserKey, school: SchoolKey): Verdict;
}

/** Whose cases each account sees in the world (own school, other school of the trust, other trust); the EWO sees the referred s1 case. */
const SEES: Record<UserKey, SchoolKey[]> = { pastoral: ['s1'], champion: ['s1'], ewo: ['s1'], lead: ['s1', 's2'], trustAdmin: ['s1', 's2'], admin: ['s1', 's2', 's3'], otherPastoral: ['s3'] };
const WHOLE: Record<UserKey, SchoolKey[]> = { ...SEES, ewo: [] };
const STAFF = new Set<UserKey>(['pastoral', 'champion', 'admin', 'otherPastoral']);
const ACTS = new Set<UserKey>([...STAFF, 'ewo']);
const sees = (user: UserKey, school: SchoolKey): Verdict => (SEES[user].includes(school) ? 'ok' : 'denied');
const whole = (user: UserKey, school: SchoolKey): Verdict => (WHOLE[user].includes(school) ? 'ok' : 'denied');
const staffOf = (user: UserKey, school: SchoolKey): Verdict => (STAFF.has(user) && WHOLE[user].includes(school) ? 'ok' : 'denied');
/** The register is loaded by the school's staff and by the trust administrator (often the school business manager). */
const registerOf = (user: UserKey, school: SchoolKey): Verdict => ((STAFF.has(user) || user === 'trustAdmin') && WHOLE[user].includes(school) ? 'ok' : 'denied');
const calendarEditor = (user: UserKey, school: SchoolKey): Verdict => (['champion', 'trustAdmin', 'admin'].includes(user) && WHOLE[user].includes(school) ? 'ok' : 'denied');
/** A school's own policy: its senior attendance champion (or an admin), never the trust administrator. */
const policyEditor = (user: UserKey, school: SchoolKey): Verdict => (['champion', 'admin'].includes(user) && WHOLE[user].includes(school) ? 'ok' : 'denied');
/** A school's letterhead and wording: the champion, the trust administrator who sets the school up, or an admin. */
const letterEditor = calendarEditor;
/** The first letter the school's workflow sends, as `workflow/name`. */
const firstLetter = (school: SchoolKey) => WORKFLOWS[SCHOOLS[school].workflowId]!.policy.stages.find((stage) => stage.letter)!.letter!;
/** Setting up trusts, schools and staff accounts: the administrator anywhere, the trust administrator in their own trust. */
const setUp = (user: UserKey, school: SchoolKey): Verdict => (user === 'admin' || (user === 'trustAdmin' && WHOLE[user].includes(school)) ? 'ok' : 'denied');
const adminOnly = (user: UserKey): Verdict => (user === 'admin' ? 'ok' : 'denied');
const TRUST_NAMES: Record<string, string> = { t1: 'Trust One', t2: 'Trust Two' };
/** The school's details as the world has them, so an edit in the matrix changes nothing that matters. */
const sameSchool = (school: SchoolKey) => ({ name: SCHOOLS[school].name, localAuthority: SCHOOLS[school].localAuthority, workflowId: SCHOOLS[school].workflowId });
/** A September 2024 school day of each caller's own (every LA of the world is in term then). */
const matrixDay = (user: UserKey, n: 0 | 1) => `2024-09-${String(9 + 2 * Object.keys(SEES).indexOf(user) + n).padStart(2, '0')}`;

/** Every non-public route of the registry, aimed at a target school. A route missing here fails the completeness test. */
const ROUTES: RouteCase[] = [
  { route: 'GET /api/cases', request: (t) => ({ path: `/api/cases?school=${t.school}` }), verdict: sees },
  { route: 'GET /api/cases/:id', request: (t) => ({ path: `/api/cases/${t.caseId}` }), verdict: sees },
  { route: 'GET /api/cases/:id/timeline', request: (t) => ({ path: `/api/cases/${t.caseId}/timeline` }), verdict: sees },
  {
    route: 'POST /api/cases/:id/events',
    request: (t) => ({ path: `/api/cases/${t.caseId}/events`, body: { type: 'NOTE', at: '2024-10-15', text: 'matrix', expectedVersion: 'current' } }),
    verdict: (user, school) => (ACTS.has(user) && SEES[user].includes(school) ? 'ok' : 'denied'),
  },
  { route: 'GET /api/pupils/:upn', request: (t) => ({ path: `/api/pupils/${t.upn}` }), verdict: sees },
  { route: 'GET /api/schools/:id/metrics', request: (t) => ({ path: `/api/schools/${t.school}/metrics?as_of=2024-10-14` }), verdict: whole },
  {
    route: 'POST /api/schools/:id/pupils',
    request: (t) => ({ path: `/api/schools/${t.school}/pupils`, body: { rows: [{ upn: t.upn, forename: 'Sam', surname: `Taylor${t.school}`, date_of_birth: '2011-05-01', year_group: '9' }] } }),
    verdict: registerOf,
  },
  {
    route: 'POST /api/schools/:id/contacts',
    request: (t) => ({
      path: `/api/schools/${t.school}/contacts`,
      body: { rows: [{ upn: t.upn, name: 'Jo Taylor', relationship: 'mother', email: 'jo@example.org', phone: '', parental_responsibility: 'yes', lives_with: 'yes' }] },
    }),
    verdict: registerOf,
  },
  { route: 'POST /api/schools/:id/marks', request: (t) => ({ path: `/api/schools/${t.school}/marks`, body: { rows: [{ upn: t.upn, date: '2024-10-14', session: 'AM', code: '/' }] } }), verdict: registerOf },
  { route: 'GET /api/cases/:id/evidence-pack.pdf', request: (t) => ({ path: `/api/cases/${t.caseId}/evidence-pack.pdf` }), verdict: staffOf },
  { route: 'GET /api/cases/:id/evidence-pack.zip', request: (t) => ({ path: `/api/cases/${t.caseId}/evidence-pack.zip` }), verdict: staffOf },
  { route: 'POST /api/cases/:id/evidence-links', request: (t) => ({ path: `/api/cases/${t.caseId}/evidence-links`, body: {} }), verdict: staffOf },
  {
    route: 'POST /api/cases/:id/evidence-links/revoke',
    request: (t) => ({ path: `/api/cases/${t.caseId}/evidence-links/revoke`, body: {} }),
    // The senior attendance champion (or an admin) of a school they see whole.
    verdict: (user, school) => (['champion', 'admin'].includes(user) && WHOLE[user].includes(school) ? 'ok' : 'denied'),
  },
  // One open task per caller and school, so each call finds it open.
  {
    route: 'POST /api/tasks/:id/complete',
    request: (t, user) => ({ path: `/api/tasks/${encodeURIComponent(`matrix:${user}:${t.school}`)}/complete`, body: { note: 'matrix' } }),
    verdict: (user, school) => (ACTS.has(user) && SEES[user].includes(school) ? 'ok' : 'denied'),
  },
  { route: 'GET /api/approvals', request: (t) => ({ path: `/api/approvals?school=${t.school}` }), verdict: sees },
  { route: 'GET /api/approvals/:id', request: (t) => (t.heldEffectId ? { path: `/api/approvals/${encodeURIComponent(t.heldEffectId)}` } : null), verdict: sees },
  {
    route: 'POST /api/approvals/:id/decision',
    // A deferral keeps the letter held, so every role can be tried on the same one.
    request: (t) => (t.heldEffectId ? { path: `/api/approvals/${encodeURIComponent(t.heldEffectId)}/decision`, body: { decision: 'defer', reason: 'matrix', until: '2030-01-01' } } : null),
    verdict: staffOf,
  },
  // Approves what the caller may decide and reports the rest as not approved.
  { route: 'POST /api/approval-batches', request: (t) => (t.heldEffectId ? { path: '/api/approval-batches', body: { ids: [t.heldEffectId] } } : null), verdict: staffOf },
  // A school's calendar: its staff read it; the champion (or an admin) changes it. Each caller adds and removes a day of their own.
  { route: 'GET /api/schools/:id/calendar', request: (t) => ({ path: `/api/schools/${t.school}/calendar` }), verdict: whole },
  { route: 'POST /api/schools/:id/calendar/entries', request: (t, user) => ({ path: `/api/schools/${t.school}/calendar/entries`, body: { kind: 'inset', start: matrixDay(user, 0) } }), verdict: calendarEditor },
  {
    route: 'POST /api/schools/:id/calendar/entries/remove',
    request: (t, user) => ({ path: `/api/schools/${t.school}/calendar/entries/remove`, body: { kind: 'closure', start: matrixDay(user, 1), end: matrixDay(user, 1) } }),
    verdict: calendarEditor,
  },
  {
    route: 'POST /api/schools/:id/calendar/import',
    request: (t) => ({ path: `/api/schools/${t.school}/calendar/import`, body: { content: 'date,end_date,kind,description\n2024-10-18,,inset,Training day\n', format: 'csv' } }),
    verdict: calendarEditor,
  },
  // A school's own policy: the champion (or an admin) reads, edits, tries, publishes it and moves cases between versions.
  { route: 'GET /api/schools/:id/policy', request: (t) => ({ path: `/api/schools/${t.school}/policy` }), verdict: policyEditor },
  { route: 'GET /api/schools/:id/policy/export', request: (t) => ({ path: `/api/schools/${t.school}/policy/export?format=json` }), verdict: policyEditor },
  {
    route: 'POST /api/schools/:id/policy/draft',
    request: (t) => ({ path: `/api/schools/${t.school}/policy/draft`, body: { document: { base: SCHOOLS[t.school].workflowId, overrides: {} }, revision: 'current' } }),
    verdict: policyEditor,
  },
  { route: 'POST /api/schools/:id/policy/dry-run', request: (t) => ({ path: `/api/schools/${t.school}/policy/dry-run`, body: {} }), verdict: policyEditor },
  { route: 'POST /api/schools/:id/policy/publish', request: (t) => ({ path: `/api/schools/${t.school}/policy/publish`, body: { revision: 'current', note: 'matrix' } }), verdict: policyEditor },
  { route: 'POST /api/schools/:id/policy/migration', request: (t) => ({ path: `/api/schools/${t.school}/policy/migration`, body: { from: 1, to: 2 } }), verdict: policyEditor },
  // A school's letters: the letterhead (with a logo, so it can be read back), then one letter's wording, its preview and reset.
  { route: 'GET /api/schools/:id/letters', request: (t) => ({ path: `/api/schools/${t.school}/letters` }), verdict: letterEditor },
  { route: 'POST /api/schools/:id/letterhead', request: (t) => ({ path: `/api/schools/${t.school}/letterhead`, body: { address: ['1 Matrix Lane', 'Coventry CV1 1AA'], logo: pngOf(40, 20).toString('base64') } }), verdict: letterEditor },
  { route: 'GET /api/schools/:id/letters/logo', request: (t) => ({ path: `/api/schools/${t.school}/letters/logo` }), verdict: letterEditor },
  { route: 'GET /api/schools/:id/letters/:workflow/:name', request: (t) => ({ path: `/api/schools/${t.school}/letters/${firstLetter(t.school)}` }), verdict: letterEditor },
  { route: 'POST /api/schools/:id/letters/:workflow/:name', request: (t) => ({ path: `/api/schools/${t.school}/letters/${firstLetter(t.school)}`, body: { source: templateSource(firstLetter(t.school)) } }), verdict: letterEditor },
  { route: 'POST /api/schools/:id/letters/:workflow/:name/preview', request: (t) => ({ path: `/api/schools/${t.school}/letters/${firstLetter(t.school)}/preview`, body: {} }), verdict: letterEditor },
  { route: 'POST /api/schools/:id/letters/:workflow/:name/reset', request: (t) => ({ path: `/api/schools/${t.school}/letters/${firstLetter(t.school)}/reset`, body: {} }), verdict: letterEditor },
  { route: 'GET /api/audit', request: (t) => ({ path: `/api/audit?school=${t.school}` }), verdict: (user) => (user === 'admin' ? 'ok' : 'denied') },
  // Subject access: an admin of a school they see whole.
  {
    route: 'GET /api/schools/:id/pupils/:upn/data.zip',
    request: (t) => ({ path: `/api/schools/${t.school}/pupils/${t.upn}/data.zip` }),
    verdict: (user, school) => (user === 'admin' && WHOLE[user].includes(school) ? 'ok' : 'denied'),
  },
  // The world's pupils are on roll: even the admin is refused (409), everyone else 403 or 404.
  { route: 'POST /api/schools/:id/pupils/:upn/erase', request: (t) => ({ path: `/api/schools/${t.school}/pupils/${t.upn}/erase`, body: {} }), verdict: () => 'denied' },
  // Not in demo mode here: even the admin gets 409, everyone else 403.
  { route: 'POST /api/admin/clock/advance', request: () => ({ path: '/api/admin/clock/advance', body: { duration: '1d' } }), verdict: () => 'denied' },
  // Setting up trusts and schools: the admin anywhere, the trust administrator in trust t1 (its own trust is all GET /api/trusts shows it).
  { route: 'GET /api/trusts', request: () => ({ path: '/api/trusts' }), verdict: (user) => (user === 'admin' || user === 'trustAdmin' ? 'ok' : 'denied') },
  { route: 'POST /api/trusts', request: (t, user) => ({ path: '/api/trusts', body: { name: `Matrix trust ${user} ${t.school}` } }), verdict: adminOnly },
  { route: 'POST /api/trusts/:id', request: (t) => ({ path: `/api/trusts/${SCHOOLS[t.school].trustId}`, body: { name: TRUST_NAMES[SCHOOLS[t.school].trustId] } }), verdict: setUp },
  // Restoring a trust that is not archived changes nothing, so every role can be tried on it; only the service's administrator archives a trust.
  { route: 'POST /api/trusts/:id/archive', request: (t) => ({ path: `/api/trusts/${SCHOOLS[t.school].trustId}/archive`, body: { archived: false } }), verdict: adminOnly },
  {
    route: 'POST /api/trusts/:id/schools',
    request: (t, user) => ({ path: `/api/trusts/${SCHOOLS[t.school].trustId}/schools`, body: { name: `Matrix ${user} ${t.school}`, phase: 'primary', localAuthority: 'coventry', workflowId: 'national' } }),
    verdict: setUp,
  },
  { route: 'GET /api/schools/:id/setup', request: (t) => ({ path: `/api/schools/${t.school}/setup` }), verdict: setUp },
  { route: 'POST /api/schools/:id', request: (t) => ({ path: `/api/schools/${t.school}`, body: { ...sameSchool(t.school), phase: 'primary', mailboxes: {} } }), verdict: setUp },
  { route: 'POST /api/schools/:id/archive', request: (t) => ({ path: `/api/schools/${t.school}/archive`, body: { archived: false } }), verdict: setUp },
  // Case assignment: anyone who sees the case reads it; the school's staff (and an admin) assign.
  { route: 'GET /api/cases/:id/assignee', request: (t) => ({ path: `/api/cases/${t.caseId}/assignee` }), verdict: sees },
  { route: 'POST /api/cases/:id/assignee', request: (t) => ({ path: `/api/cases/${t.caseId}/assignee`, body: { assignee: null } }), verdict: (user, school) => (STAFF.has(user) && SEES[user].includes(school) ? 'ok' : 'denied') },
  // Staff accounts: the administrator, and the trust administrator for its own trust's schools (the roles it may give: test/integration/api/staff.test.ts).
  // Each school has one account to act on; rows run in this order, so the link is sent before it is deactivated.
  { route: 'GET /api/staff', request: (t) => ({ path: `/api/staff?school=${t.school}` }), verdict: setUp },
  {
    route: 'POST /api/staff',
    request: (t, user) => ({ path: '/api/staff', body: { name: 'Matrix', email: `matrix-${user}-${t.school}@example.org`, role: 'pastoral', schoolId: t.school, ssoOnly: true } }),
    verdict: setUp,
  },
  { route: 'POST /api/staff/:id', request: (t) => ({ path: `/api/staff/u-matrix-${t.school}`, body: { name: 'Matrix' } }), verdict: setUp },
  { route: 'POST /api/staff/:id/password-link', request: (t) => ({ path: `/api/staff/u-matrix-${t.school}/password-link`, body: {} }), verdict: setUp },
  { route: 'POST /api/staff/:id/move-cases', request: (t) => ({ path: `/api/staff/u-matrix-${t.school}/move-cases`, body: { to: `u-matrix-${t.school}` } }), verdict: setUp },
  { route: 'POST /api/staff/:id/deactivate', request: (t) => ({ path: `/api/staff/u-matrix-${t.school}/deactivate`, body: {} }), verdict: setUp },
  { route: 'POST /api/staff/:id/reactivate', request: (t) => ({ path: `/api/staff/u-matrix-${t.school}/reactivate`, body: {} }), verdict: setUp },
  { route: 'GET /api/workflows', request: () => ({ path: '/api/workflows' }), verdict: () => 'ok' },
  { route: 'GET /api/workflows/:id', request: () => ({ path: '/api/workflows/west-coventry' }), verdict: () => 'ok' },
  { route: 'GET /api/auth/session', request: () => ({ path: '/api/auth/session' }), verdict: () => 'ok' },
  { route: 'POST /api/auth/logout', request: () => null, verdict: () => 'ok' },
];

const USERS = Object.keys(SEES) as UserKey[];
const SCHOOL_KEYS = Object.keys(SCHOOLS) as SchoolKey[];

describe('access: every route × every role × own school, other school, other trust', () => {
  let world: World;
  const targets = {} as Record<SchoolKey, Target>;
  let tried = 0;
  let mailDir: string;

  beforeAll(async () => {
    // Links to choose a password are kept as .eml files in a directory of the test's own.
    mailDir = await mkdtemp(path.join(tmpdir(), 'matrix-mail-'));
    world = await createWorld({ mailer: createMailer({ DATA_DIR: mailDir }) });
    for (const school of SCHOOL_KEYS) {
      await world.db.store.upsertUser({ id: `u-matrix-${school}`, email: `matrix-${school}@example.org`, name: 'Matrix', role: 'pastoral', schoolId: school, trustId: null, localAuthority: null, passwordHash: null, active: true, createdAt: new Date() });
    }
    // The review finds no improvement: each case moves on and its next letter waits for approval.
    const cases = createCaseService({ store: world.db.store, clock: world.clock, logger: createLogger('silent') });
    for (const school of SCHOOL_KEYS) {
      const review = (await world.db.store.listTimers(world.caseIds[school])).find((t) => t.name === 'review');
      if (review) await cases.send(world.caseIds[school], { type: 'REVIEW_DUE', at: '2024-11-18', timerId: review.timerId, evidence: { rule: 'matrix', attendancePct: 85 } } as never, { actor: 'system:timer' });
    }
    for (const user of USERS) {
      for (const school of SCHOOL_KEYS) {
        await world.db.store.createTask({ id: `matrix:${user}:${school}`, caseId: world.caseIds[school], schoolId: school, kind: 'matrix', title: 'Matrix task', dueDate: '2024-10-20', createdAt: new Date() });
      }
    }
    for (const school of SCHOOL_KEYS) {
      const days = USERS.map((user) => ({ kind: 'closure' as const, start: matrixDay(user, 1), end: matrixDay(user, 1), description: 'Matrix closure' }));
      await saveSchoolCalendar(world.db.store, { ...SCHOOLS[school] }, days, { expectedRevision: 0, by: 'system:test', at: new Date() });
    }
    const held = await world.db.store.listEffects({ status: 'held' });
    for (const school of SCHOOL_KEYS) {
      const caseId = world.caseIds[school];
      targets[school] = { school, caseId, upn: SCHOOLS[school].upn, heldEffectId: held.find((e) => e.caseId === caseId)?.id ?? null };
    }
  });
  afterAll(async () => {
    await reportFigures('access-matrix', { routes: ROUTES.length, users: USERS.length, schools: SCHOOL_KEYS.length, requests: tried });
    await world?.close();
    if (mailDir) await rm(mailDir, { recursive: true, force: true });
  });

  it('when the registry is listed, then every route that needs sign-in has a row in this table', () => {
    const registry = apiRoutes({ store: world.db.store, logger: createLogger('silent'), worker: null, cases: null as never, clock: world.clock })
      .filter((r) => !r.public)
      .map((r) => `${r.method.toUpperCase()} ${r.path}`)
      .sort();
    const table = ROUTES.map((r) => r.route);
    // A new route fails here until its row says who may call it.
    expect({ missing: registry.filter((r) => !table.includes(r)), unknown: table.filter((r) => !registry.includes(r)) }).toEqual({ missing: [], unknown: [] });
    expect(Object.values(targets).filter((t) => t.heldEffectId).length).toBeGreaterThan(0);
  });

  it.each(ROUTES.filter((r) => r.route !== 'POST /api/auth/logout'))('when nobody is signed in, then $route answers 401', async (spec) => {
    const req = spec.request(targets.s1, 'pastoral') ?? spec.request(Object.values(targets).find((t) => t.heldEffectId)!, 'pastoral')!;
    const [method, ] = spec.route.split(' ');
    const res = await (method === 'GET' ? request(world.app).get(req.path) : request(world.app).post(req.path).send(req.body ?? {}));
    tried += 1;
    expect(res.status).toBe(401);
  });

  const matrix = ROUTES.flatMap((spec) => USERS.flatMap((user) => SCHOOL_KEYS.map((school) => ({ route: spec.route, user, school, spec }))));
  it.each(matrix)('when $user calls $route on $school, then it is allowed only where the role reaches, and nothing else shows', async ({ spec, user, school }) => {
    const req = spec.request(targets[school], user);
    if (!req) return;
    const agent = await world.login(user);
    const method = spec.route.split(' ')[0];
    // A draft is saved (and published) at the revision it is at when this caller reaches it.
    if (req.body && (req.body as { revision?: unknown }).revision === 'current') req.body = { ...req.body, revision: (await world.db.store.getPolicyDraft(targets[school].school))?.revision ?? 0 };
    if (req.body && 'expectedVersion' in req.body) req.body = { ...req.body, expectedVersion: (await world.db.store.getCase(targets[school].caseId))!.version };
    const res =
      method === 'GET'
        ? await request(world.app).get(req.path).set('Cookie', agent.cookie)
        : await request(world.app).post(req.path).set('Cookie', agent.cookie).set('X-CSRF-Token', agent.csrf).send(req.body ?? {});
    tried += 1;
    const verdict = spec.verdict(user, school);
    if (verdict === 'ok') {
      expect(res.status, res.text).toBeLessThan(300);
    } else {
      // Refused, or (a list filtered to what the caller may see) answered with none of it.
      if (res.status < 300) expect(JSON.stringify(res.body)).toMatch(/"(total|letters|approved)":0\b|^\{"staff":\[\]\}$/);
      else expect([403, 404, 409], res.text).toContain(res.status);
      // A denial shows nothing of what it protects (an error may repeat the id or UPN the caller sent).
      expect(res.text).not.toContain(`Taylor${school}`);
      expect(res.text).not.toContain('jo@example.org');
    }
  });

  it('when a session id is planted before sign-in (session fixation), then sign-in issues a new one and the planted one stays worthless', async () => {
    const planted = 'sid=attacker-chosen-session-id';
    const res = await request(world.app).post('/api/auth/login').set('Cookie', planted).send({ email: emailOf('pastoral'), password: PASSWORD });
    expect(res.status).toBe(200);
    const issued = sessionCookie(res.headers['set-cookie']);
    expect(issued).not.toBe(planted);
    expect((await request(world.app).get('/api/auth/session').set('Cookie', planted)).status).toBe(401);
    expect((await request(world.app).get('/api/auth/session').set('Cookie', issued)).status).toBe(200);
    // Signing in again over a live session replaces it too: an old cookie another person holds is not upgraded.
    const again = await request(world.app).post('/api/auth/login').set('Cookie', issued).send({ email: emailOf('champion'), password: PASSWORD });
    expect(sessionCookie(again.headers['set-cookie'])).not.toBe(issued);
    const old = await request(world.app).get('/api/auth/session').set('Cookie', issued);
    expect(old.status === 401 || (old.body as { user?: { email?: string } }).user?.email === emailOf('pastoral')).toBe(true);
  });

  it('when the matrix has run, then the audit log holds a read for each case a role was allowed to see', async () => {
    const admin = await world.login('admin');
    const res = await request(world.app).get('/api/audit?page=1').set('Cookie', admin.cookie);
    expect(res.status).toBe(200);
    const total = (res.body as { total: number }).total;
    for (const user of USERS) {
      for (const school of SEES[user]) {
        const mine = await request(world.app).get(`/api/audit?actor=u-${user}&case=${world.caseIds[school]}`).set('Cookie', admin.cookie);
        const actions = (mine.body as { entries: { action: string }[] }).entries.map((e) => e.action);
        expect(actions, `${user} on ${school}`).toEqual(expect.arrayContaining(['case.read', 'case.timeline']));
      }
    }
    expect(total).toBeGreaterThan(0);
  });
});
