// Staff accounts end to end: a real SMTP server receives the invitation, the link in it sets the
// password, and sign-in works; the rules of who manages whom, deactivation, resets, the last
// administrator, case assignment and moving a leaver's cases, against the real API and store.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createWorld, PASSWORD, sessionCookie, type Agent, type World } from './world.ts';
import { startSmtp } from '../../support/smtp.ts';
import { createMailer, type Mailer } from '../../../src/mail/index.ts';
import { hashPassword } from '../../../src/access/passwords.ts';
import { SESSION_CACHE_MS } from '../../../src/http/auth/sessions.ts';
import { staffAccountsFor } from '../../../src/http/app.ts';
import type { User } from '../../../src/store/types.ts';

const DAY = 86_400_000;

describe('staff accounts', () => {
  let world: World;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let mailer: Mailer;
  let dataDir: string;

  beforeAll(async () => {
    smtp = await startSmtp();
    dataDir = await mkdtemp(path.join(tmpdir(), 'staff-mail-'));
    mailer = createMailer({ SMTP_URL: smtp.url, SMTP_REQUIRE_TLS: false, DATA_DIR: dataDir });
    world = await createWorld({ mailer });
    // The world's trust administrator (trustadmin@example.org) sets up trust t1.
  });
  afterAll(async () => {
    mailer?.close();
    await smtp?.close();
    await world?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  function account(key: string, role: User['role']): User {
    return { id: `u-${key}`, email: `${key}@example.org`, name: key, role, schoolId: null, trustId: null, localAuthority: null, passwordHash: null, active: true, createdAt: world.wall.now() };
  }

  async function signIn(email: string, password = PASSWORD): Promise<Agent> {
    const res = await request(world.app).post('/api/auth/login').send({ email, password });
    if (res.status !== 200) throw new Error(`sign-in of ${email}: ${res.status} ${JSON.stringify(res.body)}`);
    return { cookie: sessionCookie(res.headers['set-cookie']), csrf: res.body.csrfToken as string };
  }
  const post = (agent: Agent, url: string, body: object = {}) => request(world.app).post(url).set('Cookie', agent.cookie).set('X-CSRF-Token', agent.csrf).send(body);
  const get = (agent: Agent, url: string) => request(world.app).get(url).set('Cookie', agent.cookie);

  /** The link of the last email to this address, and its token. */
  function linkTo(email: string): { url: URL; token: string } {
    const mail = smtp.received.filter((m) => m.to.includes(email)).at(-1);
    if (!mail) throw new Error(`no email to ${email}`);
    const href = /http:\/\/attendance\.test\/set-password\/[A-Za-z0-9_-]+/.exec(mail.mail.text ?? '')?.[0];
    if (!href) throw new Error(`no link in the email to ${email}`);
    const url = new URL(href);
    return { url, token: url.pathname.split('/').at(-1)! };
  }

  it('when an admin invites a pastoral leader, then an email brings a link that sets their password once, and they sign in', async () => {
    const admin = await signIn('admin@example.org');
    const invited = await post(admin, '/api/staff', { name: 'Priya Shah', email: 'Priya.Shah@example.org', role: 'pastoral', schoolId: 's1' });
    expect(invited.status).toBe(200);
    expect(new Date(invited.body.linkExpiresAt).getTime() - world.wall.now().getTime()).toBe(7 * DAY);
    const email = smtp.received.filter((m) => m.to.includes('priya.shah@example.org')).at(-1)!;
    expect(email.mail.subject).toBe('Your attendance service account');
    expect(email.mail.text).toContain('pastoral leader / attendance officer');
    const { url, token } = linkTo('priya.shah@example.org');
    // Only the token's hash is kept.
    expect(JSON.stringify(await world.db.store.listPendingStaffTokens([invited.body.id], world.wall.now()))).not.toContain(token);

    const form = await request(world.app).get(url.pathname);
    expect(form.status).toBe(200);
    expect(form.text).toContain('Choose your password');
    const set = await request(world.app).post(url.pathname).type('form').send({ password: 'three random words', confirm: 'three random words' });
    expect(set.status).toBe(200);
    expect(set.text).toContain('Your password is set');
    const me = await signIn('priya.shah@example.org', 'three random words');
    const line = (await get(admin, '/api/staff?school=s1')).body.staff.find((l: { email: string }) => l.email === 'priya.shah@example.org');
    expect(line).toMatchObject({ roleName: 'Pastoral leader / attendance officer', signsInWith: 'password', pendingLink: null, lastSignIn: world.wall.now().toISOString() });
    expect((await get(me, '/api/auth/session')).body.user).toMatchObject({ role: 'pastoral', schoolId: 's1', name: 'Priya Shah' });

    const again = await request(world.app).post(url.pathname).type('form').send({ password: 'another password', confirm: 'another password' });
    expect(again.status).toBe(410);
    expect(again.text).toContain('This link has already been used.');
    expect((await request(world.app).post(`/api/password-links/${token}`).send({ password: 'another password' })).status).toBe(410);
    const audit = await world.db.store.listAudit({ actor: 'u-admin' });
    expect(audit.entries.some((e) => e.action === 'staff.invite' && (e.detail as { account: string }).account === invited.body.id)).toBe(true);
  });

  it('when the mail server refuses the invitation, then the answer says the email was not sent, and sending it again works', async () => {
    const admin = await signIn('admin@example.org');
    smtp.state.failNext = { code: 550, message: 'mailbox unavailable' };
    const refused = await post(admin, '/api/staff', { name: 'Unlucky', email: 'unlucky@example.org', role: 'pastoral', schoolId: 's1' });
    expect(refused.status).toBe(502);
    expect(refused.body.error.message).toContain('the email to unlucky@example.org could not be sent');
    const id = (await world.db.store.findUserByEmail('unlucky@example.org'))!.id;
    expect((await post(admin, `/api/staff/${id}/password-link`)).body.purpose).toBe('invite');
    expect(linkTo('unlucky@example.org').token).toHaveLength(43);
  });

  it('when an invitation is older than 7 days, then its link is refused in plain words and sets nothing', async () => {
    const admin = await signIn('admin@example.org');
    const invited = await post(admin, '/api/staff', { name: 'Late Starter', email: 'late@example.org', role: 'champion', schoolId: 's2' });
    const { url } = linkTo('late@example.org');
    world.wall.advance(7 * DAY + 1000);
    const page = await request(world.app).get(url.pathname);
    expect(page.status).toBe(410);
    expect(page.text).toContain('This link has expired. Ask the person who set up your account to send a new one.');
    expect((await request(world.app).post(url.pathname).type('form').send({ password: 'too late now', confirm: 'too late now' })).status).toBe(410);
    expect((await world.db.store.getUser(invited.body.id))?.passwordHash).toBeNull();
    expect((await request(world.app).get('/set-password/not-a-link-we-ever-sent-at-all')).text).toContain('This link is not one we know.');
  });

  it('when a trust administrator invites, then only their own trust’s staff: never an administrator or an EWO, nobody in another trust', async () => {
    const trustAdmin = await signIn('trustadmin@example.org');
    expect((await post(trustAdmin, '/api/staff', { name: 'Boss', email: 'boss@example.org', role: 'admin' })).status).toBe(403);
    expect((await post(trustAdmin, '/api/staff', { name: 'Ewo', email: 'ewo2@example.org', role: 'ewo', localAuthority: 'coventry' })).status).toBe(403);
    expect((await post(trustAdmin, '/api/staff', { name: 'Elsewhere', email: 'elsewhere@example.org', role: 'pastoral', schoolId: 's3' })).status).toBe(404);
    expect((await post(trustAdmin, '/api/staff', { name: 'Other lead', email: 'olead@example.org', role: 'trustLead', trustId: 't2' })).status).toBe(404);
    expect(await world.db.store.findUserByEmail('elsewhere@example.org')).toBeNull();
    const ok = await post(trustAdmin, '/api/staff', { name: 'Chris Champion', email: 'chris@example.org', role: 'champion', schoolId: 's2' });
    expect(ok.status).toBe(200);
    // Accounts of another trust are not there for them; an administrator's is not theirs to change.
    expect((await post(trustAdmin, '/api/staff/u-otherPastoral/deactivate')).status).toBe(404);
    expect((await post(trustAdmin, '/api/staff/u-admin/deactivate')).status).toBe(403);
    const listed = (await get(trustAdmin, '/api/staff')).body.staff.map((line: { email: string }) => line.email);
    expect(listed).toContain('chris@example.org');
    expect(listed).not.toContain('otherpastoral@example.org');
    expect(listed).not.toContain('admin@example.org');
    expect((await get(await signIn('pastoral@example.org'), '/api/staff')).status).toBe(403);
    expect((await get(await signIn('pastoral@example.org'), '/staff')).status).toBe(403);
  });

  it('when an account is deactivated, then its sessions end, it cannot sign in, and reactivated it can again', async () => {
    const admin = await signIn('admin@example.org');
    await world.db.store.upsertUser({ ...account('leaving', 'pastoral'), schoolId: 's1', passwordHash: await hashPassword(PASSWORD) });
    const leaving = await signIn('leaving@example.org');
    expect((await get(leaving, '/api/auth/session')).status).toBe(200);
    expect((await post(admin, '/api/staff/u-leaving/deactivate')).body).toEqual({ active: false, movedCases: 0 });
    expect(await world.db.store.deleteUserSessions('u-leaving')).toBe(0);
    world.wall.advance(SESSION_CACHE_MS + 1);
    expect((await get(leaving, '/api/auth/session')).status).toBe(401);
    expect((await request(world.app).post('/api/auth/login').send({ email: 'leaving@example.org', password: PASSWORD })).status).toBe(401);
    expect((await post(admin, '/api/staff/u-leaving/reactivate')).status).toBe(200);
    expect((await get(await signIn('leaving@example.org'), '/api/auth/session')).status).toBe(200);
  });

  it('when a password reset is sent, then its link works for 24 hours only, and the new password signs in', async () => {
    const admin = await signIn('admin@example.org');
    await world.db.store.upsertUser({ ...account('forgetful', 'champion'), schoolId: 's1', passwordHash: await hashPassword(PASSWORD) });
    const sent = await post(admin, '/api/staff/u-forgetful/password-link');
    expect(sent.body.purpose).toBe('reset');
    expect(new Date(sent.body.expiresAt).getTime() - world.wall.now().getTime()).toBe(DAY);
    expect(smtp.received.filter((m) => m.to.includes('forgetful@example.org')).at(-1)!.mail.subject).toBe('Choose a new password for the attendance service');
    world.wall.advance(DAY + 1000);
    expect((await request(world.app).get(linkTo('forgetful@example.org').url.pathname)).status).toBe(410);
    // The admin's own session has long ended too.
    expect((await post(await signIn('admin@example.org'), '/api/staff/u-forgetful/password-link')).status).toBe(200);
    const { token } = linkTo('forgetful@example.org');
    expect((await request(world.app).post(`/api/password-links/${token}`).send({ password: 'short' })).status).toBe(400);
    const used = await request(world.app).post(`/api/password-links/${token}`).send({ password: 'a brand new password' });
    expect(used.status).toBe(204);
    await signIn('forgetful@example.org', 'a brand new password');
  });

  it('when a role changes, then the account sees what the new role sees; a trust administrator cannot make an administrator, nor move someone out of their trust', async () => {
    const admin = await signIn('admin@example.org');
    await world.db.store.upsertUser({ ...account('mover', 'pastoral'), schoolId: 's1', passwordHash: await hashPassword(PASSWORD) });
    const promoted = await post(admin, '/api/staff/u-mover', { role: 'trustLead', trustId: 't1' });
    expect(promoted.body).toMatchObject({ role: 'trustLead', roleName: 'Trust lead', schoolId: null, trustId: 't1' });
    world.wall.advance(SESSION_CACHE_MS + 1);
    const mover = await signIn('mover@example.org');
    expect((await get(mover, `/api/cases/${world.caseIds.s2}`)).status).toBe(200);
    const trustAdmin = await signIn('trustadmin@example.org');
    expect((await post(trustAdmin, '/api/staff/u-mover', { role: 'admin' })).status).toBe(403);
    expect((await post(trustAdmin, '/api/staff/u-mover', { role: 'pastoral', schoolId: 's3' })).status).toBe(404);
    expect((await post(trustAdmin, '/api/staff/u-mover', { role: 'champion', schoolId: 's2' })).body).toMatchObject({ role: 'champion', schoolId: 's2', trustId: null });
    expect((await post(trustAdmin, '/api/staff/u-mover', { role: 'trustLead' })).status).toBe(400);
  });

  it('when the last active administrator would be deactivated, then it is refused', async () => {
    await world.db.store.upsertUser({ ...account('admin2', 'admin'), passwordHash: await hashPassword(PASSWORD) });
    const admin2 = await signIn('admin2@example.org');
    expect((await post(admin2, '/api/staff/u-admin2/deactivate')).status).toBe(409);
    expect((await post(admin2, '/api/staff/u-admin/deactivate')).status).toBe(200);
    const operator = { ...account('operator', 'admin'), id: 'cli:operator' };
    await expect(staffAccountsFor(world.deps).setActive(operator, 'u-admin2', false)).rejects.toMatchObject({ status: 409, code: 'last_admin' });
    expect((await world.db.store.getUser('u-admin2'))?.active).toBe(true);
    expect((await post(admin2, '/api/staff/u-admin2', { role: 'pastoral', schoolId: 's1' })).status).toBe(409);
    expect((await world.db.store.getUser('u-admin2'))?.role).toBe('admin');
    expect((await post(admin2, '/api/staff/u-admin/reactivate')).status).toBe(200);
  });

  it('when a case is assigned to a named pastoral leader, then "Assigned to: me" shows it to them only, and the timeline says so', async () => {
    const caseId = world.caseIds.s1;
    const pastoral = await signIn('pastoral@example.org');
    const choices = (await get(pastoral, `/api/cases/${caseId}/assignee`)).body;
    expect(choices.assignee).toBeNull();
    expect(choices.candidates.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining(['u-pastoral', 'u-champion']));
    expect(choices.candidates.map((c: { id: string }) => c.id)).not.toContain('u-otherPastoral');
    expect((await post(pastoral, `/api/cases/${caseId}/assignee`, { assignee: 'u-otherPastoral' })).status).toBe(422);
    expect((await post(await signIn('lead@example.org'), `/api/cases/${caseId}/assignee`, { assignee: 'u-pastoral' })).status).toBe(403);
    expect((await post(pastoral, `/api/cases/${caseId}/assignee`, { assignee: 'u-pastoral' })).body.assignee).toMatchObject({ id: 'u-pastoral', name: 'pastoral' });

    const mine = (await get(pastoral, '/api/cases?assigned=me')).body.cases;
    expect(mine.map((c: { id: string }) => c.id)).toEqual([caseId]);
    expect(mine[0].assignedTo).toEqual({ id: 'u-pastoral', name: 'pastoral' });
    const champion = await signIn('champion@example.org');
    expect((await get(champion, '/api/cases?assigned=me')).body.total).toBe(0);
    expect((await get(champion, '/api/cases?assigned=u-pastoral')).body.total).toBe(1);
    const page = await get(pastoral, '/?assigned=me');
    expect(page.status).toBe(200);
    expect(page.text).toContain('1 case');
    const timeline = await world.db.store.listTimeline(caseId);
    expect(timeline.at(-1)).toMatchObject({ type: 'assigned', actor: 'u-pastoral', evidence: { assignee: 'u-pastoral', previous: null } });
    expect((await get(pastoral, `/cases/${caseId}/timeline`)).text).toContain('Assigned to pastoral');
  });

  it('when the pages are used, then a case is assigned from its page, and a leaver deactivated from the Staff page hands their cases over', async () => {
    const form = (agent: Agent, url: string, fields: Record<string, string>) => request(world.app).post(url).set('Cookie', agent.cookie).type('form').send({ ...fields, _csrf: agent.csrf });
    await world.db.store.upsertUser({ ...account('pageleaver', 'champion'), schoolId: 's1', passwordHash: await hashPassword(PASSWORD) });
    const champion = await signIn('champion@example.org');
    const casePage = await get(champion, `/cases/${world.caseIds.s1}`);
    expect(casePage.text).toContain('Assign to');
    expect(casePage.text).toContain('pageleaver (senior attendance champion)');
    const assigned = await form(champion, `/cases/${world.caseIds.s1}/assign`, { assignee: 'u-pageleaver' });
    expect(assigned.status).toBe(303);
    const after = await get(champion, assigned.headers.location!);
    expect(after.text).toContain('Assigned: it is on the timeline');

    const admin = await signIn('admin@example.org');
    const staffPage = await get(admin, '/staff');
    expect(staffPage.status).toBe(200);
    expect(staffPage.text).toContain('Who takes over their 1 open case?');
    const done = await form(admin, '/staff/u-pageleaver/deactivate', { takeover: 'u-champion' });
    expect(done.status).toBe(303);
    expect((await get(admin, done.headers.location!)).text).toContain('Account deactivated.');
    expect(await world.db.store.listCaseAssignees([world.caseIds.s1])).toEqual([{ caseId: world.caseIds.s1, userId: 'u-champion' }]);
    const refused = await form(admin, '/staff/u-admin/deactivate', {});
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('you cannot deactivate your own account');
  });

  it('when a leaver is deactivated with someone to take over, then their open cases move in one write, each timeline saying so', async () => {
    const admin = await signIn('admin@example.org');
    await world.db.store.upsertUser({ ...account('leaver', 'pastoral'), schoolId: 's1', passwordHash: await hashPassword(PASSWORD) });
    const caseId = world.caseIds.s1;
    const pastoral = await signIn('pastoral@example.org');
    await world.db.store.assignCases({ caseIds: [caseId], to: 'u-leaver', actor: 'u-admin', at: world.clock.now() });
    // A takeover that cannot take the cases leaves the leaver as they were.
    expect((await post(admin, '/api/staff/u-leaver/deactivate', { takeover: 'u-lead' })).status).toBe(422);
    expect((await world.db.store.getUser('u-leaver'))?.active).toBe(true);
    expect((await post(admin, '/api/staff/u-leaver/deactivate', { takeover: 'u-champion' })).body).toEqual({ active: false, movedCases: 1 });
    expect(await world.db.store.listCaseAssignees([caseId])).toEqual([{ caseId, userId: 'u-champion' }]);
    expect((await world.db.store.listTimeline(caseId)).at(-1)).toMatchObject({ type: 'assigned', actor: 'u-admin', evidence: { assignee: 'u-champion', previous: 'u-leaver', note: 'leaver no longer has an account' } });
    // And explicitly: all of one person's open cases to another.
    expect((await post(admin, '/api/staff/u-champion/move-cases', { to: 'u-pastoral' })).body).toEqual({ moved: 1 });
    expect((await get(pastoral, '/api/cases?assigned=me')).body.total).toBe(1);
    expect((await post(admin, '/api/staff/u-pastoral/move-cases', { to: 'u-leaver' })).status).toBe(409);
    // Cases go to the school's own staff: not to a trust lead, nor across schools.
    expect((await post(admin, '/api/staff/u-pastoral/move-cases', { to: 'u-lead' })).status).toBe(422);
    expect((await post(admin, '/api/staff/u-pastoral/move-cases', { to: 'u-otherPastoral' })).body).toEqual({ moved: 0 });
  });
});
