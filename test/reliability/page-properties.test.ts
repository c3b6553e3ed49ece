import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import request from 'supertest';
import { createWorld, emailOf, type World } from '../integration/api/world.ts';
import { reportFigures } from './support/figures.ts';

const RUNS = 60;
const PAGES = ['/', '/cases', '/dashboard', '/outbox', '/approvals', '/signin', '/workflows/west-coventry'];

/** Text a hostile client might send: odd bytes, broken percent-encoding, operators, huge runs. */
const hostileText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('%E0%A4%A', '%', '%%', '%00', '\u0000', '{"$gt":""}', "' OR 1=1 --", '../../etc/passwd', '__proto__', 'é'.repeat(50), 'a'.repeat(5000)),
);

describe('pages, headers and cookies under generated hostile requests (fast-check)', () => {
  let world: World;
  let signedIn: string;
  beforeAll(async () => {
    world = await createWorld();
    signedIn = (await world.login('pastoral')).cookie;
  });
  afterAll(async () => world?.close());

  it(`when ${RUNS} requests with hostile query strings, cookies and Origin headers reach the pages, then none is answered with a 5xx`, async () => {
    const statuses: Record<string, number> = {};
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...PAGES),
        fc.array(fc.tuple(fc.constantFrom('school', 'q', 'stage', 'band', 'page', 'next', 'as_of', 'assignee', '__proto__'), hostileText), { maxLength: 4 }),
        fc.oneof(fc.constant(null), hostileText.map((value) => `sid=${value}`), fc.constant('signed-in')),
        fc.option(hostileText, { nil: null }),
        async (page, query, cookie, origin) => {
          const search = query.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join('&');
          let req = request(world.app).get(`${page}${search ? `?${search}` : ''}`);
          if (cookie) req = req.set('Cookie', cookie === 'signed-in' ? signedIn : [...cookie].map((c) => (c >= ' ' && c <= '~' ? c : '?')).join(''));
          // Only what an HTTP header can carry: printable ASCII (the client refuses the rest itself).
          if (origin) req = req.set('Origin', [...origin].map((c) => (c >= ' ' && c <= '~' ? c : '?')).join(''));
          const res = await req;
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          if (res.status >= 500) failures.push(`${page}?${search} cookie=${cookie} origin=${origin} -> ${res.status}`);
          return res.status < 500;
        },
      ),
      { numRuns: RUNS, seed: 20261204 },
    );
    // Sign-in posts with hostile Origins and bodies too.
    for (const origin of ['http://[::1', 'null', 'file://', '%%%']) {
      const res = await request(world.app).post('/api/auth/login').set('Origin', origin).send({ email: emailOf('pastoral'), password: 'x' });
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status >= 500) failures.push(`login origin=${origin} -> ${res.status}`);
    }
    await reportFigures('page-properties', { requests: RUNS + 4, statuses });
    expect(failures).toEqual([]);
  }, 120_000);
});
