import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import request from 'supertest';
import { createWorld, emailOf, PASSWORD, type World } from './world.ts';
import { testEvidenceLinks } from '../../support/evidence-links.ts';

// PUBLIC_URL says how people reach the service: over HTTPS behind a TLS proxy, or over plain
// HTTP on a LAN for a trial. The headers and cookies must work for each.
const sessionCookieOf = (res: request.Response) => [res.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('sid='))!;

describe.each([
  { over: 'plain HTTP on a LAN', publicUrl: 'http://192.168.1.20:3000', host: '192.168.1.20:3000', https: false },
  { over: 'HTTPS behind a TLS proxy', publicUrl: 'https://attendance.trust.example', host: 'attendance.trust.example', https: true },
])('when PUBLIC_URL is $publicUrl ($over)', ({ publicUrl, host, https }) => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld({ evidenceLinks: testEvidenceLinks(publicUrl) });
  });
  afterAll(async () => world?.close());

  it(`then the sign-in page ${https ? 'upgrades' : 'does not upgrade'} its stylesheets and scripts to https and ${https ? 'sends' : 'does not send'} HSTS`, async () => {
    const res = await request(world.app).get('/signin').set('Host', host);
    expect(res.status).toBe(200);
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).toContain("default-src 'self'");
    expect(csp.includes('upgrade-insecure-requests')).toBe(https);
    expect('strict-transport-security' in res.headers).toBe(https);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it(`then the session cookie is ${https ? '' : 'not '}Secure, so the browser ${https ? 'sends it over https only' : 'keeps it over http'}`, async () => {
    const res = await request(world.app).post('/api/auth/login').set('Host', host).send({ email: emailOf('champion'), password: PASSWORD });
    expect(res.status).toBe(200);
    const cookie = sessionCookieOf(res);
    expect(cookie).toMatch(/HttpOnly/);
    expect(/;\s*Secure/i.test(cookie)).toBe(https);
  });
});
