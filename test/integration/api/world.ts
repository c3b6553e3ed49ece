// A small multi-tenant world for the API suites: two trusts, three schools in two local
// authorities, one pupil with an open case in each, and one account per role.
import request from 'supertest';
import type express from 'express';
import { openTestPostgres, sql } from '../../support/postgres.ts';
import { ManualClock } from '../../../src/clock.ts';
import { createLogger } from '../../../src/logger.ts';
import { createCaseService } from '../../../src/cases/case-service.ts';
import { createApp, type AppDeps } from '../../../src/http/app.ts';
import { hashPassword } from '../../../src/access/passwords.ts';
import type { OpenedPostgres } from '../../../src/store/postgres/open.ts';
import type { Role } from '../../../src/store/types.ts';
import { testEvidenceLinks } from '../../support/evidence-links.ts';

export const PASSWORD = 'correct horse battery staple';
export const SCHOOLS = {
  s1: { id: 's1', trustId: 't1', name: 'School One', workflowId: 'west-coventry', localAuthority: 'coventry', upn: 'A331400112001' },
  s2: { id: 's2', trustId: 't1', name: 'School Two', workflowId: 'hall-green', localAuthority: 'sandwell', upn: 'B333400112002' },
  s3: { id: 's3', trustId: 't2', name: 'School Three', workflowId: 'west-coventry', localAuthority: 'coventry', upn: 'C331400112003' },
} as const;
export type SchoolKey = keyof typeof SCHOOLS;

export const USERS = {
  pastoral: { role: 'pastoral', schoolId: 's1' },
  champion: { role: 'champion', schoolId: 's1' },
  ewo: { role: 'ewo', localAuthority: 'coventry' },
  lead: { role: 'trustLead', trustId: 't1' },
  trustAdmin: { role: 'trustAdmin', trustId: 't1' },
  admin: { role: 'admin' },
  otherPastoral: { role: 'pastoral', schoolId: 's3' },
} satisfies Record<string, { role: Role; schoolId?: string; trustId?: string; localAuthority?: string }>;
export type UserKey = keyof typeof USERS;

export interface Agent {
  /** Cookie header value of the session. */
  cookie: string;
  csrf: string;
}

export interface World {
  db: OpenedPostgres;
  app: express.Express;
  /** What the app was made from, for a second app over the same database with other settings. */
  deps: AppDeps;
  clock: ManualClock;
  wall: ManualClock;
  caseIds: Record<SchoolKey, string>;
  login(user: UserKey): Promise<Agent>;
  close(): Promise<void>;
}

export const emailOf = (user: string) => `${user.toLowerCase()}@example.org`;

export async function createWorld(extra: Partial<AppDeps> = {}): Promise<World> {
  const db = await openTestPostgres();
  const { store } = db;
  const logger = createLogger(process.env.TEST_LOG ?? 'silent');
  const clock = new ManualClock(new Date('2024-10-14T09:00:00Z'));
  const wall = new ManualClock(new Date('2026-01-05T09:00:00Z'));
  const cases = createCaseService({ store, clock, logger });
  await store.upsertTrust({ id: 't1', name: 'Trust One' });
  await store.upsertTrust({ id: 't2', name: 'Trust Two' });
  const caseIds = {} as Record<SchoolKey, string>;
  for (const [key, { upn, ...school }] of Object.entries(SCHOOLS) as [SchoolKey, (typeof SCHOOLS)[SchoolKey]][]) {
    await store.upsertSchool(school);
    await store.upsertPupils(school.id, [{ upn, forename: 'Sam', surname: `Taylor${key}`, dateOfBirth: '2011-05-01', yearGroup: '9', vulnerability: [], onRoll: true }]);
    await store.replaceContacts(school.id, [
      { upn, name: 'Jo Taylor', relationship: 'mother', email: 'jo@example.org', phone: null, parentalResponsibility: true, livesWith: true },
    ]);
    const opened = await cases.open(school.id, upn, { type: 'OPEN', at: '2024-10-14', evidence: { rule: 'test', attendancePct: 89 } }, 'system:test');
    caseIds[key] = opened.case.id;
  }
  // The s1 case was referred to the EWO; the s3 case, in the same LA, was not.
  await sql(db.url, `INSERT INTO outbox (id, school_id, case_id, kind, payload, status, next_attempt_at, created_at) VALUES ($1, $4, $2, 'notify', $3, 'done', now(), now())`, [
    `${caseIds.s1}:ref`,
    caseIds.s1,
    JSON.stringify({ caseId: caseIds.s1, to: 'ewo', template: 'referral' }),
    SCHOOLS.s1.id,
  ]);
  const passwordHash = await hashPassword(PASSWORD);
  for (const [key, user] of Object.entries(USERS) as [UserKey, { role: Role; schoolId?: string; trustId?: string; localAuthority?: string }][]) {
    await store.upsertUser({
      id: `u-${key}`,
      email: emailOf(key),
      name: key,
      role: user.role,
      schoolId: user.schoolId ?? null,
      trustId: user.trustId ?? null,
      localAuthority: user.localAuthority ?? null,
      passwordHash,
      active: true,
      createdAt: wall.now(),
    });
  }
  const deps: AppDeps = { store, logger, worker: null, cases, clock, now: () => wall.now(), evidenceLinks: testEvidenceLinks(), ...extra };
  const app = createApp(deps);
  const agents = new Map<UserKey, Agent>();
  return {
    db,
    app,
    deps,
    clock,
    wall,
    caseIds,
    async login(user) {
      const known = agents.get(user);
      if (known) return known;
      const res = await request(app).post('/api/auth/login').send({ email: emailOf(user), password: PASSWORD });
      if (res.status !== 200) throw new Error(`login of ${user} failed: ${res.status} ${JSON.stringify(res.body)}`);
      const agent = { cookie: sessionCookie(res.headers['set-cookie']), csrf: res.body.csrfToken as string };
      agents.set(user, agent);
      return agent;
    },
    close: () => db.close(),
  };
}

export function sessionCookie(setCookie: string | string[] | undefined): string {
  const cookie = [setCookie ?? []].flat().find((c) => c.startsWith('sid='));
  if (!cookie) throw new Error('no session cookie');
  return cookie.split(';')[0]!;
}
