// Single sign-on end to end: a real OpenID Connect provider (oidc-provider, with its development
// login and consent pages) and the app, each on its own loopback port, driven the way a browser would.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import request from 'supertest';
import Provider from 'oidc-provider';
import { createWorld, emailOf, sessionCookie, type World } from './world.ts';
import { sql } from '../../support/postgres.ts';
import { Browser, close, listen, signInAtProvider } from '../../support/oidc-browser.ts';

const CLIENT = { id: 'attendance', secret: 'a-client-secret-only-the-test-knows' };

describe('single sign-on with OpenID Connect', () => {
  let world: World;
  let app: Server;
  let idp: Server;
  let appUrl: string;
  let redirectUri: string;

  beforeAll(async () => {
    app = createServer();
    idp = createServer();
    appUrl = await listen(app);
    const issuer = await listen(idp);
    redirectUri = `${appUrl}/api/auth/oidc/callback`;
    const provider = new Provider(issuer, {
      clients: [{ client_id: CLIENT.id, client_secret: CLIENT.secret, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
      // The development provider signs in whatever login is typed; the login is the email here.
      findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: `sub-${id}`, email: id, email_verified: true }) }),
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      cookies: { keys: ['a-cookie-key-for-the-test-provider'] },
      ttl: { Interaction: 600, Session: 600, Grant: 600, AuthorizationCode: 60, AccessToken: 600, IdToken: 600 },
    });
    idp.on('request', provider.callback());
    world = await createWorld({ oidc: { issuer, clientId: CLIENT.id, clientSecret: CLIENT.secret, redirectUri, label: 'Sign in with the test provider' } });
    app.on('request', world.app);
  });
  afterAll(async () => {
    await Promise.all([app, idp].map((server) => server && close(server)));
    await world?.close();
  });

  /** Opens the app's start route in the browser; returns where it sends the browser. */
  async function start(browser: Browser): Promise<URL> {
    const res = await browser.fetch(new URL('/api/auth/oidc/start', appUrl));
    expect(res.status).toBe(302);
    return new URL(res.headers.get('location')!);
  }

  it('when a staff member signs in at the provider, then the callback signs them in to their own account', async () => {
    const browser = new Browser();
    const authorization = await start(browser);
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
    const callback = await signInAtProvider(browser, authorization, emailOf('champion'), redirectUri);

    const back = await browser.fetch(callback);
    expect(back.status).toBe(302);
    expect(back.headers.get('location')).toBe('/');
    expect(browser.cookie(callback, 'oidc_flow')).toBeUndefined();

    const session = await browser.fetch(new URL('/api/auth/session', appUrl));
    expect(session.status).toBe(200);
    expect(await session.json()).toMatchObject({ user: { email: emailOf('champion'), role: 'champion', schoolId: 's1' }, csrfToken: expect.any(String) });
    const audit = await world.db.store.listAudit({ actor: 'u-champion' });
    expect(audit.entries.filter((e) => e.action === 'auth.login').map((e) => e.detail)).toEqual([{ method: 'oidc' }]);
  });

  it('when the provider signs in an email that has no account, then the callback refuses it and creates no account', async () => {
    const users = async () => (await sql<{ count: string }>(world.db.url, 'SELECT count(*) FROM users'))[0]!.count;
    const before = await users();
    const browser = new Browser();
    const callback = await signInAtProvider(browser, await start(browser), 'stranger@example.org', redirectUri);

    const back = await browser.fetch(callback);
    expect(back.status).toBe(401);
    expect(((await back.json()) as { error: { code: string } }).error.code).toBe('sso_no_account');
    expect(browser.cookie(callback, 'sid')).toBeUndefined();
    expect(await world.db.store.findUserByEmail('stranger@example.org')).toBeNull();
    expect(await users()).toBe(before);
  });

  it('when the state coming back has been changed, then the callback refuses it and starts no session', async () => {
    const browser = new Browser();
    const callback = await signInAtProvider(browser, await start(browser), emailOf('pastoral'), redirectUri);
    const flow = browser.cookie(callback, 'oidc_flow')!;
    const tampered = new URL(callback);
    tampered.searchParams.set('state', `${callback.searchParams.get('state')}x`);

    const back = await browser.fetch(tampered);
    expect(back.status).toBe(401);
    expect(((await back.json()) as { error: { code: string } }).error.code).toBe('sso_failed');
    expect(browser.cookie(callback, 'sid')).toBeUndefined();
    // Only the state was wrong: the untouched answer, with the same flow, still signs in.
    const untouched = await request(world.app).get(`${callback.pathname}${callback.search}`).set('Cookie', `oidc_flow=${flow}`);
    expect(untouched.status).toBe(302);
  });

  it('when the flow cookie is not one the app wrote, then the callback refuses it as a failed sign-on, not a server error', async () => {
    const res = await request(world.app).get('/api/auth/oidc/callback?code=c&state=s').set('Cookie', 'oidc_flow=not-a-flow');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('sso_failed');
  });

  it('when the requests arrive with another Host header, then the redirect URI is still the configured one', async () => {
    const host = 'attendance.evil.example';
    const started = await request(world.app).get('/api/auth/oidc/start').set('Host', host);
    expect(started.status).toBe(302);
    const authorization = new URL(started.headers.location!);
    expect(authorization.searchParams.get('redirect_uri')).toBe(redirectUri);
    const flowCookie = [started.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('oidc_flow='))!.split(';')[0]!;

    const callback = await signInAtProvider(new Browser(), authorization, emailOf('lead'), redirectUri);
    // The provider redeems the code only for the redirect URI it was issued to.
    const back = await request(world.app).get(`${callback.pathname}${callback.search}`).set('Host', host).set('Cookie', flowCookie);
    expect(back.status).toBe(302);
    const session = await request(world.app).get('/api/auth/session').set('Cookie', sessionCookie(back.headers['set-cookie']));
    expect(session.body.user.email).toBe(emailOf('lead'));
  });
});
