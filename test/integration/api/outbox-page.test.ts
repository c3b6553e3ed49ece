// The outbox page reads a page of what the viewer may see, never the bodies (issue 17, items 6 and 10).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import request from 'supertest';
import { createWorld, emailOf, PASSWORD, sessionCookie, type World } from './world.ts';
import { createApp } from '../../../src/http/app.ts';
import type { Store } from '../../../src/store/types.ts';
import { PAGE_SIZE } from '../../../src/http/ui/outbox/outbox-page.ts';

describe('the outbox page with many messages', () => {
  let world: World;
  const calls: string[] = [];
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    world = await createWorld();
    const { store } = world.db;
    const pdf = Buffer.alloc(20_000, 'x');
    const at = new Date('2024-10-14T09:00:00Z').getTime();
    const made = (school: 's1' | 's3', i: number) => ({
      id: `${school}-m${String(i).padStart(3, '0')}`,
      effectId: `${world.caseIds[school]}:e${i}`,
      caseId: world.caseIds[school],
      schoolId: school,
      template: 'west-coventry/letter-a',
      kind: 'letter' as const,
      recipientRole: 'parent',
      recipientName: 'Jo Taylor',
      recipientEmail: 'jo@example.org',
      subject: `Letter ${i}`,
      messageId: `<${school}-m${i}@attendance.test>`,
      status: 'pending' as const,
      pdf,
      createdAt: new Date(at + i * 1000),
    });
    for (let i = 0; i < 300; i++) await store.createMessage(made('s1', i));
    for (let i = 0; i < 7; i++) await store.createMessage(made('s3', i));
    // Every store call the app makes is seen (the store itself is the real one).
    const watched = new Proxy(store, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push(String(key));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    }) as Store;
    app = createApp({ ...world.deps, store: watched });
  });
  afterAll(async () => world?.close());

  const signIn = async (user: string) => sessionCookie((await request(app).post('/api/auth/login').send({ email: emailOf(user), password: PASSWORD })).headers['set-cookie']);

  it('when the school’s staff open the outbox, then one page of 50 of its 300 is read, without any letter’s PDF or email', async () => {
    const cookie = await signIn('pastoral');
    calls.length = 0;
    const res = await request(app).get('/outbox').set('Cookie', cookie);
    expect(res.status).toBe(200);
    expect(res.text).toContain(`1 to ${PAGE_SIZE} of 300, newest first`);
    expect(res.text).toContain('Letter 299');
    expect(res.text).not.toContain('Letter 249<');
    expect(res.text.match(/<tr>/g)!.length - 1).toBe(PAGE_SIZE);
    expect(calls).toContain('listMessagePage');
    expect(calls.filter((name) => ['listMessages', 'getMessage'].includes(name))).toEqual([]);
    const last = await request(app).get('/outbox?page=6').set('Cookie', cookie);
    expect(last.text).toContain('251 to 300 of 300');
    expect(last.text).toContain('Letter 0<');
  });

  it('when a page is read straight from the store, then its rows carry no bodies', async () => {
    const { total, messages } = await world.db.store.listMessagePage({ schoolIds: ['s1'], caseIds: [], limit: PAGE_SIZE, offset: 0 });
    expect(total).toBe(300);
    expect(messages).toHaveLength(PAGE_SIZE);
    expect(messages.every((m) => !('pdf' in m) && !('raw' in m) && m.hasPdf)).toBe(true);
  });

  it('when someone of another trust, or an EWO, opens it, then the count is only of the messages they may see', async () => {
    const other = await request(app).get('/outbox').set('Cookie', await signIn('otherPastoral'));
    expect(other.text).toContain('7 made, newest first');
    expect(other.text).not.toContain('of 300');
    // The EWO has the s1 case (referred), not the s3 one of the same local authority.
    const ewo = await request(app).get('/outbox').set('Cookie', await signIn('ewo'));
    expect(ewo.text).toContain('1 to 50 of 300');
  });

  it('when the outbox is viewed, then the audit log says who saw which messages', async () => {
    const { entries } = await world.db.store.listAudit({ actor: 'u-otherPastoral', limit: 5 });
    expect(entries.find((e) => e.action === 'outbox.read')).toMatchObject({ detail: { page: 1, shown: expect.arrayContaining(['s3-m000']) } });
  });

  it('when a letter is made just after the outbox was read, then the next read counts it (the kept total is dropped)', async () => {
    const cookie = await signIn('otherPastoral');
    expect((await request(app).get('/outbox').set('Cookie', cookie)).text).toContain('7 made, newest first');
    await world.db.store.createMessage({
      id: 's3-m-late', effectId: `${world.caseIds.s3}:late`, caseId: world.caseIds.s3, schoolId: 's3', template: 'west-coventry/letter-a', kind: 'letter',
      recipientRole: 'parent', recipientName: 'Jo Taylor', recipientEmail: 'jo@example.org', subject: 'Letter late', messageId: '<s3-m-late@attendance.test>',
      status: 'pending', pdf: null, createdAt: new Date('2024-10-14T10:00:00Z'),
    });
    const again = await request(app).get('/outbox').set('Cookie', cookie);
    expect(again.text).toContain('8 made, newest first');
    expect(again.text).toContain('Letter late');
  });
});
