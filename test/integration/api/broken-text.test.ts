// JSON may carry half of a UTF-16 surrogate pair ("\ud800"); PostgreSQL's jsonb refuses it, so it
// must be a 400 naming the field, never a 500 (found by the API property test on POST /api/trusts).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import request from 'supertest';
import { createWorld, type World } from './world.ts';

describe('text that cannot be stored', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  });
  afterAll(async () => world?.close());

  const post = async (path: string, raw: string) => {
    const admin = await world.login('admin');
    return request(world.app).post(path).set('cookie', admin.cookie).set('x-csrf-token', admin.csrf).set('content-type', 'application/json').send(raw);
  };

  it('when a trust’s name or a note holds half of a surrogate pair, then it is a 400 naming the field and nothing is written', async () => {
    const trust = await post('/api/trusts', '{"name":"Riverside \\ud800 Trust"}');
    expect(trust.status).toBe(400);
    expect(trust.body.error.details.problems).toEqual([{ in: 'body', field: 'name', message: 'must not contain a broken character (half of a surrogate pair)' }]);
    expect((await world.db.store.listTrusts()).some((t) => t.name.includes('Riverside'))).toBe(false);
    const note = await post(`/api/cases/${world.caseIds.s1}/events`, '{"type":"NOTE","at":"2024-10-15","text":"rang \\udc00 mum","expectedVersion":1}');
    expect(note.status).toBe(400);
    expect(note.body.error.details.problems[0]).toMatchObject({ field: 'text' });
    // A whole pair (an emoji) is text like any other.
    expect((await post('/api/trusts', '{"name":"Riverside \\ud83d\\ude00 Trust"}')).status).toBe(200);
  });
});
