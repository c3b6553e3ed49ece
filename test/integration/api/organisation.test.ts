// Trusts and schools set up through the pages and the API: who may, what is checked, what is audited.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import request from 'supertest';
import { hashPassword } from '../../../src/access/passwords.ts';
import { createWorld, sessionCookie, type Agent, type UserKey, type World } from './world.ts';

describe('setting up trusts and schools', () => {
  let world: World;
  let trustAdmin: Agent;
  beforeAll(async () => {
    world = await createWorld();
    // The school business manager of Trust One.
    await world.db.store.upsertUser({ id: 'u-sbm', email: 'sbm@example.org', name: 'Sam Manager', role: 'trustAdmin', schoolId: null, trustId: 't1', localAuthority: null, passwordHash: await hashPassword('a long enough password'), active: true, createdAt: new Date() });
    const res = await request(world.app).post('/api/auth/login').send({ email: 'sbm@example.org', password: 'a long enough password' });
    trustAdmin = { cookie: sessionCookie(res.headers['set-cookie']), csrf: res.body.csrfToken };
  });
  afterAll(async () => world?.close());

  const as = async (who: UserKey | Agent) => (typeof who === 'string' ? world.login(who) : who);
  const form = async (who: UserKey | Agent, path: string, fields: Record<string, string>) => {
    const agent = await as(who);
    return request(world.app).post(path).set('Cookie', agent.cookie).type('form').send({ ...fields, _csrf: agent.csrf });
  };
  const api = async (who: UserKey | Agent, path: string, body?: unknown) => {
    const agent = await as(who);
    const req = body === undefined ? request(world.app).get(path) : request(world.app).post(path).set('X-CSRF-Token', agent.csrf).send(body as object);
    return req.set('Cookie', agent.cookie);
  };
  const riverside = {
    name: 'Riverside Primary',
    urn: '123456',
    laEstab: '869/2001',
    phase: 'primary',
    localAuthority: 'West Berkshire Council',
    workflowId: 'francis-baily',
    mailbox_office: 'office@riverside.example.org',
    mailbox_ewo: '',
    mailbox_la: 'eas@westberks.example.org',
    mailbox_homeSchool: '',
  };

  it('when the administrator adds a trust and a school through the pages, then the school is set up as typed and the change is audited', async () => {
    expect((await form('admin', '/organisation/trusts', { name: 'Riverside Learning Trust' })).headers.location).toBe('/organisation?done=trust-added');
    const trust = (await world.db.store.listTrusts()).find((t) => t.name === 'Riverside Learning Trust')!;
    expect(trust.id).toBe('riverside-learning-trust');
    const added = await form('admin', `/organisation/trusts/${trust.id}/schools`, riverside);
    expect(added.status).toBe(303);
    expect(added.headers.location).toBe('/organisation/schools/riverside-primary?done=created');
    expect(await world.db.store.getSchool('riverside-primary')).toMatchObject({
      trustId: trust.id,
      urn: '123456',
      laEstab: '8692001',
      phase: 'primary',
      localAuthority: 'west-berkshire',
      workflowId: 'francis-baily',
      notifyEmails: { office: 'office@riverside.example.org', la: 'eas@westberks.example.org' },
      archivedAt: null,
    });
    const page = await request(world.app).get(added.headers.location as string).set('Cookie', (await world.login('admin')).cookie);
    expect(page.text).toContain('The school is set up.');
    expect(page.text).toContain('value="869/2001"');
    expect(page.text).toContain('value="West Berkshire"');
    expect(page.text).not.toContain('Mailboxes to add');
    const audit = await world.db.store.listAudit({ actor: 'u-admin', limit: 20, offset: 0 });
    expect(audit.entries.map((e) => e.action)).toEqual(expect.arrayContaining(['organisation.trust.created', 'organisation.school.created']));
  });

  it('when the school form is wrong, then each problem is named by its field and what was typed stays', async () => {
    const res = await form('admin', '/organisation/trusts/t1/schools', { ...riverside, name: 'Hillside', urn: '12', mailbox_ewo: 'ewo at council' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('URN: a URN is 6 digits');
    expect(res.text).toContain('EWO or attendance service: the EWO address is not an email address');
    expect(res.text).toContain('value="Hillside"');
    expect(res.text).toContain('value="ewo at council"');
    const taken = await form('admin', '/organisation/trusts/t1/schools', { ...riverside, name: 'Hillside' });
    expect(taken.status).toBe(409);
    expect(taken.text).toContain('URN 123456 is already Riverside Primary’s');
  });

  it('when a trust administrator sets up, then only their own trust’s schools, never a new trust', async () => {
    const own = await api(trustAdmin, '/api/trusts/t1/schools', { ...riverside, urn: '223456', name: 'Meadow Academy', workflowId: 'hall-green', localAuthority: 'Sandwell', mailboxes: {} });
    expect(own.status).toBe(200);
    expect(own.body.warnings).toEqual(expect.arrayContaining([expect.stringContaining('no address for it')]));
    expect((await api(trustAdmin, '/api/trusts/t2/schools', { ...riverside, urn: '323456', mailboxes: {} })).status).toBe(404);
    expect((await api(trustAdmin, '/api/schools/s3/setup')).status).toBe(404);
    expect((await api(trustAdmin, '/api/trusts', { name: 'My Own Trust' })).status).toBe(403);
    expect((await api(trustAdmin, '/api/trusts')).body.trusts.map((t: { id: string }) => t.id)).toEqual(['t1']);
    const pastoral = await api('pastoral', '/api/trusts');
    expect(pastoral.status).toBe(403);
    const nav = await request(world.app).get('/').set('Cookie', (await world.login('pastoral')).cookie);
    expect(nav.text).not.toContain('href="/organisation"');
  });

  it('when a school’s policy changes, then the audit entry says from what to what', async () => {
    const res = await api('admin', '/api/schools/s2', { name: 'School Two', phase: 'primary', localAuthority: 'sandwell', workflowId: 'national', mailboxes: { la: 'la@sandwell.example.org' } });
    expect(res.status).toBe(200);
    expect(res.body.school).toMatchObject({ workflowId: 'national', phase: 'primary', urn: null });
    const entry = (await world.db.store.listAudit({ actor: 'u-admin', limit: 5, offset: 0 })).entries.find((e) => e.action === 'organisation.school.edited')!;
    expect(entry.schoolId).toBe('s2');
    expect(entry.detail).toMatchObject({ changes: { workflowId: { from: 'hall-green', to: 'national' } } });
  });

  it('when a school is archived, then its trust cannot be archived until it is, and a restored school is at work again', async () => {
    const trust = (await world.db.store.listTrusts()).find((t) => t.name === 'Riverside Learning Trust')!;
    const refused = await api('admin', `/api/trusts/${trust.id}/archive`, { archived: true });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('archive its schools first: Riverside Primary');
    expect((await form('admin', '/organisation/schools/riverside-primary', { archived: 'true' })).headers.location).toBe('/organisation/schools/riverside-primary?done=archived');
    expect((await world.db.store.getSchool('riverside-primary'))!.archivedAt).toBeInstanceOf(Date);
    expect((await api('admin', `/api/trusts/${trust.id}/archive`, { archived: true })).status).toBe(200);
    expect((await api('admin', `/api/trusts/${trust.id}/schools`, { ...riverside, urn: '423456', name: 'Late School', mailboxes: {} })).status).toBe(409);
    expect((await api('admin', '/api/schools/riverside-primary/archive', { archived: false })).body.archivedAt).toBeNull();
  });
});
