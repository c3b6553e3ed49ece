// Lockout abuse and races, proxies, and flooding the audit log without signing in (issue 17, items 3 and 7).
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import request from 'supertest';
import { createWorld, emailOf, PASSWORD, type World } from './world.ts';
import { createApp, type AppDeps } from '../../../src/http/app.ts';
import { LOGIN_LIMITS } from '../../../src/http/auth/login.ts';
import { UNAUTHENTICATED_LIMITS } from '../../../src/http/rate-limit.ts';
import { AUDIT_TEXT_MOST } from '../../../src/access/audit.ts';
import { expireSignIns } from '../../../src/access/sign-in-expiry.ts';
import { SESSION_TTL_MS } from '../../../src/http/auth/sessions.ts';

describe('sign-in lockout, proxies and unauthenticated floods', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  });
  afterAll(async () => world?.close());

  /** A fresh app (its own in-memory rate limits) over the world's database, listening on a port. */
  async function serve(extra: Partial<AppDeps> = {}): Promise<{ url: string; close(): Promise<void> }> {
    const server: Server = await new Promise((resolve) => {
      const listening = createApp({ ...world.deps, ...extra }).listen(0, '127.0.0.1', () => resolve(listening));
    });
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((done) => server.close(() => done())) };
  }

  const signIn = (url: string, email: string, password: string, headers: Record<string, string> = {}) =>
    fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ email, password }) });

  /** A clean slate: every window of failures and limits passed. */
  const nextWindow = () => world.wall.advance(LOGIN_LIMITS.windowMs + 60_000);

  it('when 40 wrong passwords for one account arrive at once, then at most 5 are checked and the rest are 429', async () => {
    nextWindow();
    const server = await serve();
    try {
      const answers = await Promise.all(Array.from({ length: 40 }, () => signIn(server.url, emailOf('champion'), 'wrong')));
      const statuses = answers.map((res) => res.status);
      expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(LOGIN_LIMITS.perAccount);
      expect(statuses.filter((status) => status !== 401).every((status) => status === 429)).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('when one address fails with 20 invented emails, then a known account still signs in there with its right password, and further tries are slowed, not locked', async () => {
    nextWindow();
    const server = await serve();
    try {
      for (let i = 0; i < LOGIN_LIMITS.perAddress; i++) expect((await signIn(server.url, `made-up-${i}@example.org`, 'guess')).status).toBe(401);
      const started = performance.now();
      const wrong = await signIn(server.url, 'made-up-x@example.org', 'guess');
      expect(wrong.status).toBe(401);
      expect(performance.now() - started).toBeGreaterThanOrEqual(LOGIN_LIMITS.backoffStepMs);
      expect((await signIn(server.url, emailOf('pastoral'), PASSWORD)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('when clients behind a proxy fail for one account, then they are counted apart only when TRUST_PROXY is set', async () => {
    for (const trustProxy of [false, 1] as const) {
      nextWindow();
      const server = await serve({ trustProxy });
      try {
        const statuses: number[] = [];
        for (let i = 1; i <= LOGIN_LIMITS.perAccount + 1; i++) statuses.push((await signIn(server.url, emailOf('lead'), 'wrong', { 'x-forwarded-for': `203.0.113.${i}` })).status);
        expect(statuses.at(-1)).toBe(trustProxy ? 401 : 429);
      } finally {
        await server.close();
      }
    }
    const { entries } = await world.db.store.listAudit({ actor: 'anonymous', limit: 1 });
    expect(entries[0]).toMatchObject({ action: 'auth.failed', detail: { account: 'u-lead', address: '203.0.113.6', reason: 'invalid_credentials' } });
  });

  it('when a sign-in fails, then the audit keeps the account tried and the address, never the password nor an email no account has', async () => {
    nextWindow();
    await request(world.app).post('/api/auth/login').send({ email: emailOf('admin'), password: 'hunter2-secret' });
    await request(world.app).post('/api/auth/login').send({ email: 'nobody-here@example.org', password: 'hunter2-secret' });
    const { entries } = await world.db.store.listAudit({ actor: 'anonymous', limit: 2 });
    expect(entries.map((e) => (e.detail as { account: string | null }).account)).toEqual([null, 'u-admin']);
    for (const entry of entries) expect((entry.detail as { address: string }).address).toMatch(/127\.0\.0\.1/);
    expect(JSON.stringify(entries)).not.toMatch(/hunter2|nobody-here/);
  });

  it('when 500 forged evidence links are fetched from one address, then a bounded number of audit rows is written and the rest are 429 with Retry-After', async () => {
    nextWindow();
    const server = await serve();
    const before = (await world.db.store.listAudit({ actor: 'link:evidence-pack', limit: 1 })).total;
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let batch = 0; batch < 10; batch++) {
        const answers = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            fetch(`${server.url}/api/evidence-links/forged-${batch}-${i}/evidence-pack.pdf?expires=9999999999&sig=nope`, { headers: { 'user-agent': 'x'.repeat(8000) } }),
          ),
        );
        for (const res of answers) {
          statuses.push(res.status);
          if (res.status === 429) retryAfter = res.headers.get('retry-after');
        }
      }
      const written = (await world.db.store.listAudit({ actor: 'link:evidence-pack', limit: 50 })).total - before;
      expect(written).toBeLessThanOrEqual(UNAUTHENTICATED_LIMITS.evidenceLink.limit);
      expect(statuses.filter((status) => status === 429).length).toBe(500 - written);
      expect(Number(retryAfter)).toBeGreaterThan(0);
      const { entries } = await world.db.store.listAudit({ actor: 'link:evidence-pack', limit: 1 });
      expect((entries[0]!.detail as { userAgent: string }).userAgent.length).toBeLessThanOrEqual(AUDIT_TEXT_MOST);
    } finally {
      await server.close();
    }
  });

  it('when sessions expire and failed sign-ins age past the window, then the cleanup deletes them', async () => {
    nextWindow();
    await request(world.app).post('/api/auth/login').send({ email: 'someone@example.org', password: 'x' });
    const res = await request(world.app).post('/api/auth/login').send({ email: emailOf('otherPastoral'), password: PASSWORD });
    expect(res.status).toBe(200);
    world.wall.advance(SESSION_TTL_MS + 1000);
    const expired = await expireSignIns(world.db.store, world.wall.now());
    expect(expired.sessions).toBeGreaterThanOrEqual(1);
    expect(expired.loginFailures).toBeGreaterThanOrEqual(1);
    expect(await world.db.store.countLoginFailures('address:::ffff:127.0.0.1', new Date(0))).toBe(0);
  });
});
