// The dashboard keeps a school's figures for a moment (issue 23, item 5): this process's own
// register imports must still show on the next view, at once.
import { Readable } from 'node:stream';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import request from 'supertest';
import { createWorld, SCHOOLS, type World } from './world.ts';
import { importMarks } from '../../../src/register/import-register.ts';

describe('the dashboard’s kept figures', () => {
  let world: World;
  const { upn } = SCHOOLS.s1;
  const marks = (rows: string) => ({
    schoolId: 's1',
    source: Readable.from([Buffer.from(`upn,date,session,code\n${rows}`)]),
    actor: 'user:officer',
    reason: 'MIS export',
    at: new Date('2024-10-14T08:00:00Z'),
  });
  const dashboard = async () => {
    const res = await request(world.app).get('/dashboard?school=s1').set('Cookie', (await world.login('pastoral')).cookie);
    expect(res.status).toBe(200);
    return res.text;
  };

  beforeAll(async () => {
    world = await createWorld();
    expect((await importMarks(world.db.store, marks(`${upn},2024-10-07,AM,/\n${upn},2024-10-07,PM,/\n`))).applied).toBe(true);
  });
  afterAll(async () => world?.close());

  it('when marks are imported just after the dashboard was viewed, then the next view counts them', async () => {
    const before = await dashboard();
    expect(await dashboard()).toBe(before);
    expect((await importMarks(world.db.store, marks(`${upn},2024-10-08,AM,O\n${upn},2024-10-08,PM,O\n`))).applied).toBe(true);
    const after = await dashboard();
    expect(after).not.toBe(before);
    // Two sessions of unauthorised absence in four: the school's figure moves from 100% to 50%.
    expect(before).toMatch(/100(\.0)?%/);
    expect(after).toMatch(/50(\.0)?%/);
  });
});
