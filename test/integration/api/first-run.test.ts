// A new installation: no account exists, and only the one-time setup link lets the first person in.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import request from 'supertest';
import type express from 'express';
import { openTestPostgres } from '../../support/postgres.ts';
import { ManualClock } from '../../../src/clock.ts';
import { createLogger } from '../../../src/logger.ts';
import { createCaseService } from '../../../src/cases/case-service.ts';
import { createApp } from '../../../src/http/app.ts';
import { issueSetupLink, SETUP_LINK_TTL_MS } from '../../../src/access/first-run.ts';
import type { OpenedPostgres } from '../../../src/store/postgres/open.ts';
import { testEvidenceLinks } from '../../support/evidence-links.ts';
import { sessionCookie } from './world.ts';

describe('the first run of a new installation', () => {
  let db: OpenedPostgres;
  let app: express.Express;
  const wall = new ManualClock(new Date('2026-09-01T08:00:00Z'));
  beforeEach(async () => {
    db = await openTestPostgres();
    const logger = createLogger('silent');
    const clock = new ManualClock(wall.now());
    app = createApp({ store: db.store, logger, worker: null, cases: createCaseService({ store: db.store, clock, logger }), clock, now: () => wall.now(), evidenceLinks: testEvidenceLinks() });
  });
  afterEach(async () => db?.close());

  const form = (token: string, fields: Record<string, string>) => request(app).post(`/setup/${token}`).type('form').send(fields);
  const admin = { name: 'Sam Business', email: 'Sam.Business@Riverside.example.org', password: 'three random words' };

  it('when the setup link is opened and the form filled, then the first administrator exists, is signed in, and the link is spent', async () => {
    const { token } = await issueSetupLink(db.store, wall.now());
    const page = await request(app).get(`/setup/${token}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Create the first administrator account');

    const created = await form(token, admin);
    expect(created.status).toBe(303);
    expect(created.headers.location).toBe('/organisation');
    const organisation = await request(app).get('/organisation').set('Cookie', sessionCookie(created.headers['set-cookie']));
    expect(organisation.status).toBe(200);
    expect(organisation.text).toContain('Add a trust');

    const user = await db.store.findUserByEmail('sam.business@riverside.example.org');
    expect(user).toMatchObject({ role: 'admin', name: 'Sam Business', active: true });
    expect((await db.store.listAudit({ actor: user!.id, limit: 10, offset: 0 })).entries.map((e) => e.action)).toContain('setup.first-admin');

    expect((await request(app).get(`/setup/${token}`)).status).toBe(404);
    const again = await form(token, { ...admin, email: 'someone.else@example.org' });
    expect(again.status).toBe(404);
    expect(again.text).toContain('this setup link has been used, has expired or was replaced');
    await expect(issueSetupLink(db.store, wall.now())).rejects.toThrow('an administrator exists already');
  });

  it('when the form is not right, then it says what, keeps what was typed, and the link still works', async () => {
    const { token } = await issueSetupLink(db.store, wall.now());
    const res = await form(token, { name: 'Sam', email: 'sam@example.org', password: 'short' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Password: choose a password of at least 12 characters');
    expect(res.text).toContain('value="sam@example.org"');
    expect((await request(app).get(`/setup/${token}`)).status).toBe(200);
    expect(await db.store.listUsers()).toEqual([]);
  });

  it('when the link has expired, is replaced, is not a link at all, or comes from another site, then nobody gets in', async () => {
    const old = await issueSetupLink(db.store, new Date(wall.now().getTime() - SETUP_LINK_TTL_MS - 1000));
    expect((await request(app).get(`/setup/${old.token}`)).status).toBe(404);
    const first = await issueSetupLink(db.store, wall.now());
    const second = await issueSetupLink(db.store, wall.now());
    expect((await request(app).get(`/setup/${first.token}`)).status).toBe(404);
    expect((await request(app).get('/setup/not-a-token')).status).toBe(400);
    const foreign = await request(app).post(`/api/setup/${second.token}`).set('Origin', 'https://evil.example').send(admin);
    expect(foreign.status).toBe(403);
    expect(await db.store.listUsers()).toEqual([]);
  });

  it('when two browsers post the same link at once, then exactly one administrator is created', async () => {
    const { token } = await issueSetupLink(db.store, wall.now());
    const answers = await Promise.all(
      ['one', 'two', 'three', 'four'].map((who) => request(app).post(`/api/setup/${token}`).send({ ...admin, email: `${who}@example.org` })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 404, 404, 404]);
    expect(await db.store.listUsers({ role: 'admin' })).toHaveLength(1);
  });

  it('when `admin create` names the person, then the link is theirs only', async () => {
    const { token } = await issueSetupLink(db.store, wall.now(), { email: 'Head@School.example.org', name: 'Pat Head' });
    const page = await request(app).get(`/setup/${token}`);
    expect(page.text).toMatch(/value="head@school.example.org"\s+readonly/);
    const wrong = await request(app).post(`/api/setup/${token}`).send({ ...admin });
    expect(wrong.status).toBe(422);
    expect((await request(app).post(`/api/setup/${token}`).send({ ...admin, email: 'head@school.example.org' })).status).toBe(200);
  });
});
