import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Writable } from 'node:stream';
import request from 'supertest';
import { createWorld, emailOf, SCHOOLS, type World } from './world.ts';
import { createLogger } from '../../../src/logger.ts';

describe('what the request log keeps', () => {
  let world: World;
  let log = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      log += chunk.toString();
      done();
    },
  });

  beforeAll(async () => {
    world = await createWorld({ logger: createLogger('info', sink) });
  });
  afterAll(async () => world?.close());

  it('when staff sign in, read a pupil and a case and act, then the log holds no session, CSRF token, email, UPN or name, only routes and statuses', async () => {
    const agent = await world.login('pastoral');
    const sid = agent.cookie.split('=')[1]!;
    const pupil = (await world.db.store.getPupil('s1', SCHOOLS.s1.upn))!;
    const caseId = world.caseIds.s1;
    const as = (path: string) => request(world.app).get(path).set('Cookie', agent.cookie).set('Authorization', 'Bearer not-a-real-token');
    expect((await as(`/api/pupils/${pupil.upn}?school=s1&q=${encodeURIComponent(pupil.surname)}`)).status).toBeLessThan(500);
    expect((await as(`/api/cases/${caseId}`)).status).toBe(200);
    expect((await as(`/cases/${caseId}`)).status).toBe(200);
    await request(world.app).post('/api/auth/logout').set('Cookie', agent.cookie).set('X-CSRF-Token', agent.csrf).send({});
    await new Promise((resolve) => setImmediate(resolve));

    expect(log).toContain("/api/cases/:id");
    for (const secret of [sid, agent.csrf, emailOf('pastoral'), pupil.upn, pupil.forename, pupil.surname, caseId, 'Bearer', 'set-cookie', 'cookie"']) {
      expect(log, `the log holds ${secret}`).not.toContain(secret);
    }
  });
});
