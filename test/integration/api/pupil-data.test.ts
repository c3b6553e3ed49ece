// Subject access and erasure through the real app: an admin exports one pupil as a zip, and erases one past retention.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import request from 'supertest';
import { strFromU8, unzipSync } from 'fflate';
import { createWorld, SCHOOLS, type UserKey, type World } from './world.ts';

const binary = (res: request.Response, done: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

describe('pupil data: subject access and erasure', () => {
  let world: World;
  const LEFT_LONG_AGO = 'D331400112009';
  const LEFT_RECENTLY = 'E331400112010';
  const LEFT_WITH_OPEN_CASE = 'F331400112011';
  const closedCase = 'case-left-long-ago';

  beforeAll(async () => {
    world = await createWorld();
    const { store } = world.db;
    const pupil = (upn: string, dateOfBirth: string) => ({ upn, forename: 'Robin', surname: 'Left', dateOfBirth, yearGroup: '11', vulnerability: [], onRoll: false });
    await store.upsertPupils('s1', [pupil(LEFT_LONG_AGO, '1980-01-01'), pupil(LEFT_RECENTLY, '2008-01-01'), pupil(LEFT_WITH_OPEN_CASE, '1980-02-01')]);
    // Contacts with postal addresses: the export carries them, and erasure takes them away.
    const contact = (upn: string) => ({ upn, name: 'Jo Taylor', relationship: 'mother', email: 'jo@example.org', phone: null, parentalResponsibility: true, livesWith: true, address: { lines: ['3 Osier Close'], town: 'Coventry', postcode: 'CV4 7QP' } });
    await store.replaceContacts('s1', [contact(SCHOOLS.s1.upn), contact(LEFT_LONG_AGO)]);
    const at = new Date('2000-01-10T09:00:00Z');
    for (const [id, upn] of [[closedCase, LEFT_LONG_AGO], ['case-open-old', LEFT_WITH_OPEN_CASE]] as const) {
      await store.createCase(
        { id, schoolId: 's1', upn, workflowId: 'west-coventry', machineId: 'west-coventry', machineVersion: 1, state: 'stage1a', status: 'open', snapshot: { value: 'stage1a' }, openedAt: at },
        { timeline: [{ id: `${id}-t`, at, actor: 'system:test', type: 'opened', from: null, to: 'stage1a', evidence: {} }], effects: [] },
      );
    }
    // A letter of the on-roll pupil's case, printed and emailed: the export carries both as sent.
    await store.createMessage({
      id: 'sar-letter', effectId: 'e-sar', caseId: world.caseIds.s1, schoolId: 's1', template: 'letter-a', kind: 'letter', recipientRole: 'parent', recipientName: 'Jo Taylor',
      recipientEmail: 'jo@example.org', subject: 'Attendance', messageId: '<sar-letter@test>', status: 'pending', pdf: Buffer.from('%PDF-1.3 sar'), createdAt: at,
    });
    await store.updateMessage('sar-letter', { status: 'sent', at, transport: 'embedded', raw: 'Subject: Attendance\r\n\r\nDear Jo' });
    await store.commitTransition({ caseId: closedCase, expectedVersion: 1, state: 'closed', status: 'closed', snapshot: { value: 'closed' }, timeline: [], effects: [], at });
  });
  afterAll(async () => world?.close());

  const as = async (user: UserKey) => world.login(user);
  const exportOf = async (user: UserKey, school: string, upn: string) =>
    request(world.app).get(`/api/schools/${school}/pupils/${upn}/data.zip`).set('Cookie', (await as(user)).cookie).buffer(true).parse(binary);
  const erase = async (user: UserKey, school: string, upn: string) => {
    const agent = await as(user);
    return request(world.app).post(`/api/schools/${school}/pupils/${upn}/erase`).set('Cookie', agent.cookie).set('X-CSRF-Token', agent.csrf).send({});
  };
  const auditOf = async (action: string) => (await world.db.store.listAudit({ schoolIds: ['s1'], limit: 100 })).entries.filter((e) => e.action === action);

  it('when an admin exports a pupil, then the zip holds their record, contacts, register, cases with timelines, messages and audit, and the audit names a reference, not the pupil', async () => {
    const upn = SCHOOLS.s1.upn;
    const res = await exportOf('admin', 's1', upn);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    const files = unzipSync(new Uint8Array(res.body as Buffer));
    expect(Object.keys(files).filter((name) => !name.endsWith('/')).sort()).toEqual(
      ['README.txt', 'audit.json', 'cases.json', 'contacts.json', 'emails/sar-letter.eml', 'letters/sar-letter.pdf', 'messages.json', 'pupil.json', 'register.json'],
    );
    expect(strFromU8(files['letters/sar-letter.pdf']!)).toBe('%PDF-1.3 sar');
    expect(strFromU8(files['emails/sar-letter.eml']!)).toContain('Dear Jo');
    const read = (name: string) => JSON.parse(strFromU8(files[name]!));
    expect(read('pupil.json')).toMatchObject({ upn, surname: 'Taylors1' });
    expect(read('contacts.json')).toEqual([expect.objectContaining({ name: 'Jo Taylor', address: { lines: ['3 Osier Close'], town: 'Coventry', postcode: 'CV4 7QP' } })]);
    expect(read('cases.json')).toEqual([expect.objectContaining({ id: world.caseIds.s1, timeline: expect.arrayContaining([expect.objectContaining({ actor: 'system:test' })]) })]);
    const [entry] = await auditOf('pupil.export');
    expect(entry).toMatchObject({ upn: null, caseId: null, detail: { reference: expect.stringMatching(/^sar-[0-9a-f-]{36}$/), cases: 1, messages: 1 } });
    expect(JSON.stringify(entry)).not.toContain(upn);
    expect(JSON.stringify(entry)).not.toContain('Taylor');
  });

  it('when someone who is not an admin asks for a pupil\'s data or its erasure, then it is refused, and a pupil of nowhere is 404', async () => {
    expect((await exportOf('champion', 's1', SCHOOLS.s1.upn)).status).toBe(403);
    expect((await erase('champion', 's1', LEFT_LONG_AGO)).status).toBe(403);
    expect((await exportOf('admin', 's1', 'Z999999999999')).status).toBe(404);
  });

  it('when the pupil is on roll, within retention, or has an open case, then erasure is refused with the reason and nothing goes', async () => {
    const onRoll = await erase('admin', 's1', SCHOOLS.s1.upn);
    expect(onRoll.status).toBe(409);
    expect(onRoll.body.error.message).toContain('still on roll');
    const recent = await erase('admin', 's1', LEFT_RECENTLY);
    expect(recent.status).toBe(409);
    expect(recent.body.error.message).toBe("the pupil's records are kept until 2033-01-01 (date of birth + 25 years)");
    const open = await erase('admin', 's1', LEFT_WITH_OPEN_CASE);
    expect(open.status).toBe(409);
    expect(open.body.error.message).toContain('open case');
    for (const upn of [SCHOOLS.s1.upn, LEFT_RECENTLY, LEFT_WITH_OPEN_CASE]) expect(await world.db.store.getPupil('s1', upn)).not.toBeNull();
    expect(await world.db.store.getCase('case-open-old')).not.toBeNull();
  });

  it('when a pupil who left is past retention, then erasure removes them with their closed case, is audited by reference, and a second try is 404', async () => {
    const res = await erase('admin', 's1', LEFT_LONG_AGO);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ erased: true, reference: expect.stringMatching(/^sar-/) });
    expect(await world.db.store.getPupil('s1', LEFT_LONG_AGO)).toBeNull();
    expect(await world.db.store.getCase(closedCase)).toBeNull();
    expect(await world.db.store.listContacts('s1', LEFT_LONG_AGO)).toEqual([]);
    expect(await world.db.store.listTimeline(closedCase)).toEqual([]);
    const [entry] = await auditOf('pupil.erase');
    expect(entry).toMatchObject({ upn: null, detail: { reference: res.body.reference, cases: 1 } });
    expect(JSON.stringify(entry)).not.toContain(LEFT_LONG_AGO);
    expect((await erase('admin', 's1', LEFT_LONG_AGO)).status).toBe(404);
  });
});
