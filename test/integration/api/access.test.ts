import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import request from 'supertest';
import { createWorld, SCHOOLS, type SchoolKey, type UserKey, type World } from './world.ts';

/** Which schools' cases each role sees in the world: everything else must answer 404. */
const SEES: Record<UserKey, SchoolKey[]> = {
  pastoral: ['s1'],
  champion: ['s1'],
  ewo: ['s1'],
  lead: ['s1', 's2'],
  trustAdmin: ['s1', 's2'],
  admin: ['s1', 's2', 's3'],
  otherPastoral: ['s3'],
};
/** Whole-school reads (metrics, every pupil): not the EWO, who sees only referred cases. */
const WHOLE: Record<UserKey, SchoolKey[]> = { ...SEES, ewo: [] };
const ACTS = new Set<UserKey>(['pastoral', 'champion', 'ewo', 'admin', 'otherPastoral']);
const IMPORTS = new Set<UserKey>(['pastoral', 'champion', 'trustAdmin', 'admin', 'otherPastoral']);
const schoolKeys = Object.keys(SCHOOLS) as SchoolKey[];
const table = (Object.keys(SEES) as UserKey[]).flatMap((user) => schoolKeys.map((school) => ({ user, school })));

describe('API access: every role against every school', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  });
  afterAll(async () => world?.close());

  const get = async (user: UserKey, path: string) => {
    const agent = await world.login(user);
    return request(world.app).get(path).set('Cookie', agent.cookie);
  };
  const post = async (user: UserKey, path: string, body: object, headers: Record<string, string> = {}) => {
    const agent = await world.login(user);
    return request(world.app).post(path).set('Cookie', agent.cookie).set('X-CSRF-Token', agent.csrf).set(headers).send(body);
  };

  it.each(table)('when $user reads the case of $school, then it answers 200 only where the role may see it', async ({ user, school }) => {
    const res = await get(user, `/api/cases/${world.caseIds[school]}`);
    expect(res.status).toBe(SEES[user].includes(school) ? 200 : 404);
    if (res.status === 200) {
      expect(res.body).toMatchObject({ case: { id: world.caseIds[school], schoolId: school }, pupil: { upn: SCHOOLS[school].upn } });
      expect(res.headers.etag).toBe(`"${res.body.case.version}"`);
    } else {
      expect(res.body).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    }
  });

  it.each(table)('when $user reads the timeline of $school, then it answers as the case does', async ({ user, school }) => {
    const res = await get(user, `/api/cases/${world.caseIds[school]}/timeline`);
    expect(res.status).toBe(SEES[user].includes(school) ? 200 : 404);
    if (res.status === 200) expect(res.body.entries[0]).toMatchObject({ actor: 'system:test', to: expect.stringMatching(/^open\.stage1/) });
  });

  it.each(table)('when $user reads the pupil of $school, then only a pupil they may see is found', async ({ user, school }) => {
    const res = await get(user, `/api/pupils/${SCHOOLS[school].upn}`);
    expect(res.status).toBe(SEES[user].includes(school) ? 200 : 404);
    if (res.status === 200) expect(res.body.records.map((r: { schoolId: string }) => r.schoolId)).toEqual([school]);
  });

  it.each(table)('when $user reads the metrics of $school, then only a school they see whole answers', async ({ user, school }) => {
    const res = await get(user, `/api/schools/${school}/metrics?as_of=2024-10-14`);
    expect(res.status).toBe(WHOLE[user].includes(school) ? 200 : 404);
    if (res.status === 200) expect(res.body).toMatchObject({ schoolId: school, asOf: '2024-10-14', pupils: 1 });
  });

  it.each(table)('when $user writes a note on the case of $school, then it is 200 where they act, 403 where they only read, 404 elsewhere', async ({ user, school }) => {
    const res = await post(user, `/api/cases/${world.caseIds[school]}/events`, { type: 'NOTE', text: 'phoned home', expectedVersion: 1 });
    expect(res.status).toBe(!SEES[user].includes(school) ? 404 : ACTS.has(user) ? 200 : 403);
  });

  it.each(table)('when $user imports pupils into $school, then only its own staff may', async ({ user, school }) => {
    const res = await post(user, `/api/schools/${school}/pupils`, {
      rows: [{ upn: SCHOOLS[school].upn, forename: 'Sam', surname: `Taylor${school}`, date_of_birth: '2011-05-01', year_group: '9' }],
    });
    expect(res.status).toBe(!WHOLE[user].includes(school) ? 404 : IMPORTS.has(user) ? 200 : 403);
  });

  it.each(Object.keys(SEES) as UserKey[])('when %s lists the work queue, then it holds exactly the cases they may see', async (user) => {
    const res = await get(user, '/api/cases');
    expect(res.status).toBe(200);
    expect(res.body.cases.map((c: { schoolId: string }) => c.schoolId).sort()).toEqual(SEES[user]);
  });

  it('when someone filters the queue by a school they cannot see, then it is 404', async () => {
    expect((await get('pastoral', '/api/cases?school=s3')).status).toBe(404);
    expect((await get('lead', '/api/cases?school=s2')).body.total).toBe(1);
  });

  it('when every read and change has happened, then the audit log lists them and only the admin can read it', async () => {
    expect((await get('champion', '/api/audit')).status).toBe(403);
    const res = await get('admin', `/api/audit?actor=u-pastoral&case=${world.caseIds.s1}`);
    expect(res.status).toBe(200);
    const actions = res.body.entries.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['case.read', 'case.timeline', 'case.note']));
    expect(res.body.entries[0]).toMatchObject({ actor: 'u-pastoral', caseId: world.caseIds.s1, schoolId: 's1', upn: SCHOOLS.s1.upn });
  });
});
