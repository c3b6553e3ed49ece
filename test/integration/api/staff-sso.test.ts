// An account that signs in only by single sign-on is linked to the person at the provider by the
// provider's subject (`sub`) on first sign-in; afterwards the subject decides, not the email.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import request from 'supertest';
import Provider from 'oidc-provider';
import { createWorld, type World } from './world.ts';
import { Browser, close, listen, signInAtProvider } from '../../support/oidc-browser.ts';

const CLIENT = { id: 'attendance', secret: 'a-client-secret-only-the-test-knows' };

describe('single sign-on accounts linked by subject', () => {
  let world: World;
  let app: Server;
  let idp: Server;
  let appUrl: string;
  let issuer: string;
  let redirectUri: string;
  const emails = new Map<string, string>();

  beforeAll(async () => {
    app = createServer();
    idp = createServer();
    appUrl = await listen(app);
    issuer = await listen(idp);
    redirectUri = `${appUrl}/api/auth/oidc/callback`;
    const provider = new Provider(issuer, {
      clients: [{ client_id: CLIENT.id, client_secret: CLIENT.secret, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
      // The login typed at the development provider is the subject; the test sets (and changes) each subject's email.
      findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id, email: emails.get(id) ?? id, email_verified: true }) }),
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

  /** Signs in at the provider as `subject|email` and comes back: the app's answer and the browser. */
  async function ssoSignIn(as: string) {
    const [login, email] = as.split('|') as [string, string];
    emails.set(login, email);
    const browser = new Browser();
    const started = await browser.fetch(new URL('/api/auth/oidc/start', appUrl));
    const callback = await signInAtProvider(browser, new URL(started.headers.get('location')!), login, redirectUri);
    const back = await browser.fetch(callback);
    return { back, browser };
  }

  it('when an SSO-only account signs in first, then it is linked to the subject; an email changed at the provider still signs in; another subject with the same email is refused', async () => {
    const admin = await world.login('admin');
    const invited = await request(world.app)
      .post('/api/staff')
      .set('Cookie', admin.cookie)
      .set('X-CSRF-Token', admin.csrf)
      .send({ name: 'Sam Single', email: 'sam.single@example.org', role: 'champion', schoolId: 's1', ssoOnly: true });
    expect(invited.status).toBe(200);
    expect(invited.body.linkExpiresAt).toBeNull();
    // No password: it cannot sign in with one.
    expect((await request(world.app).post('/api/auth/login').send({ email: 'sam.single@example.org', password: 'anything at all' })).status).toBe(401);

    const first = await ssoSignIn('person-1|sam.single@example.org');
    expect(first.back.status).toBe(302);
    const session = await first.browser.fetch(new URL('/api/auth/session', appUrl));
    expect(((await session.json()) as { user: { id: string } }).user.id).toBe(invited.body.id);
    expect(await world.db.store.findIdentity(issuer, 'person-1')).toMatchObject({ userId: invited.body.id });

    const renamed = await ssoSignIn('person-1|sam.married-name@example.org');
    expect(renamed.back.status).toBe(302);
    const again = await renamed.browser.fetch(new URL('/api/auth/session', appUrl));
    expect(((await again.json()) as { user: { id: string } }).user.id).toBe(invited.body.id);

    const impostor = await ssoSignIn('person-2|sam.single@example.org');
    expect(impostor.back.status).toBe(401);
    expect(((await impostor.back.json()) as { error: { code: string } }).error.code).toBe('sso_other_person');
    expect(await world.db.store.findIdentity(issuer, 'person-2')).toBeNull();
    const refused = await world.db.store.listAudit({ actor: 'anonymous' });
    expect(refused.entries.some((e) => (e.detail as { reason?: string }).reason === 'sso_subject_mismatch')).toBe(true);

    // A deactivated account's subject signs in no more.
    await request(world.app).post(`/api/staff/${invited.body.id}/deactivate`).set('Cookie', admin.cookie).set('X-CSRF-Token', admin.csrf).send({});
    expect((await ssoSignIn('person-1|sam.single@example.org')).back.status).toBe(401);
  });
});
