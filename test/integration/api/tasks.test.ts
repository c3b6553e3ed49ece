import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import request from 'supertest';
import { createWorld, type UserKey, type World } from './world.ts';

describe('POST /api/tasks/:id/complete', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
    for (const id of ['t-case', 't-other']) {
      await world.db.store.createTask({ id, caseId: world.caseIds.s1, schoolId: 's1', kind: 'contact-details', title: `check the contacts (${id})`, dueDate: '2024-10-14', createdAt: world.clock.now() });
    }
  });
  afterAll(async () => world?.close());

  const complete = async (user: UserKey, id: string, body: object = {}) => {
    const agent = await world.login(user);
    return request(world.app).post(`/api/tasks/${encodeURIComponent(id)}/complete`).set('Cookie', agent.cookie).set('X-CSRF-Token', agent.csrf).send(body);
  };

  it('when the school’s pastoral leader completes a task with a note, then it is done and the case timeline says who and how', async () => {
    const res = await complete('pastoral', 't-case', { note: 'rang the mother, email corrected' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 't-case', status: 'done', completedBy: 'u-pastoral', note: 'rang the mother, email corrected' });
    const timeline = await world.db.store.listTimeline(world.caseIds.s1);
    expect(timeline.at(-1)).toMatchObject({ actor: 'u-pastoral', type: 'task.done', evidence: { taskId: 't-case', note: 'rang the mother, email corrected' } });
  });

  it('when a done task is completed again, then it is 409 and the timeline gains nothing', async () => {
    const before = (await world.db.store.listTimeline(world.caseIds.s1)).length;
    expect((await complete('champion', 't-case')).status).toBe(409);
    expect(await world.db.store.listTimeline(world.caseIds.s1)).toHaveLength(before);
  });

  it('when someone outside the school, a read-only trust lead, or nobody’s task is tried, then 404 / 403 / 404 and the task stays open', async () => {
    expect((await complete('otherPastoral', 't-other')).status).toBe(404);
    expect((await complete('lead', 't-other')).status).toBe(403);
    expect((await complete('pastoral', 'no-such-task')).status).toBe(404);
    expect(await world.db.store.getTask('t-other')).toMatchObject({ status: 'open' });
  });
});
