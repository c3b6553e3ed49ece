import { describe, it, expect, beforeAll } from 'vitest';
import { type Store } from '../../src/store/types.ts';
import { at, entry, newCase, type ContractContext } from './support.ts';

export function messageContract(ctx: ContractContext) {
  const { trustId, schoolId, otherSchoolId } = ctx;
  describe('messages', () => {
    let store: Store;
    beforeAll(() => {
      store = ctx.store;
    });
    let caseId: string;
    const message = (id: string, status: 'pending' | 'printOnly' = 'pending') => ({
      id,
      effectId: `${caseId}:v1:0`,
      caseId,
      schoolId,
      template: 'west-coventry/letter-a',
      kind: 'letter' as const,
      recipientRole: 'parent',
      recipientName: 'Alex Ash',
      recipientEmail: status === 'printOnly' ? null : 'alex@example.org',
      subject: 'Attendance',
      messageId: `<${id}@test>`,
      status,
      pdf: Buffer.from('%PDF-1.3 test'),
      createdAt: at,
    });

    beforeAll(async () => {
      const created = newCase(schoolId, 'A4');
      caseId = created.id;
      await store.createCase(created, { timeline: [], effects: [] });
    });

    it('when a school is stored with mailboxes, then they are read back, and an upsert without them keeps them', async () => {
      const mailboxes = { ewo: 'ewo@example.org', la: 'attendance@la.example.org' };
      await store.upsertSchool({ id: schoolId, trustId, name: 'A School', workflowId: 'west-coventry', localAuthority: 'coventry', notifyEmails: mailboxes });
      await store.upsertSchool({ id: schoolId, trustId, name: 'A School', workflowId: 'west-coventry', localAuthority: 'coventry' });
      expect((await store.getSchool(schoolId))?.notifyEmails).toEqual(mailboxes);
      expect((await store.getSchool(otherSchoolId))?.notifyEmails).toEqual({});
    });

    it('when the same message is recorded twice, then the first stays and the second reports it was not created', async () => {
      expect(await store.createMessage(message(`${caseId}/m1`))).toBe(true);
      expect(await store.createMessage({ ...message(`${caseId}/m1`), subject: 'changed' })).toBe(false);
      const stored = await store.getMessage(`${caseId}/m1`);
      expect(stored).toMatchObject({ subject: 'Attendance', status: 'pending', transport: null, raw: null, error: null, sentAt: null });
      expect(stored?.pdf?.toString()).toBe('%PDF-1.3 test');
    });

    it('when a message fails for now, is sent, or fails for good, then its status, error and raw copy say so', async () => {
      await store.updateMessage(`${caseId}/m1`, { status: 'pending', at, error: '421 try later' });
      expect(await store.getMessage(`${caseId}/m1`)).toMatchObject({ status: 'pending', error: '421 try later' });
      const sentAt = new Date('2025-01-10T10:00:00Z');
      expect(await store.updateMessage(`${caseId}/m1`, { status: 'sent', at: sentAt, transport: 'embedded', raw: 'Subject: x\r\n' })).toMatchObject({
        status: 'sent',
        transport: 'embedded',
        raw: 'Subject: x\r\n',
        error: null,
        sentAt,
      });
      await store.createMessage(message(`${caseId}/m2`));
      await store.updateMessage(`${caseId}/m2`, { status: 'failed', at, error: '550 no such user' });
      expect(await store.getMessage(`${caseId}/m2`)).toMatchObject({ status: 'failed', error: '550 no such user', sentAt: null });
      expect(await store.updateMessage('missing', { status: 'failed', at, error: 'x' })).toBeNull();
      expect(await store.getMessage('missing')).toBeNull();
    });

    it('when messages are listed by case, effect or school, then each filter applies, oldest first', async () => {
      await store.createMessage({ ...message(`${caseId}/m0`, 'printOnly'), effectId: 'other-effect', createdAt: new Date(at.getTime() - 1000) });
      expect((await store.listMessages({ caseId })).map((m) => m.id)).toEqual([`${caseId}/m0`, `${caseId}/m1`, `${caseId}/m2`]);
      expect((await store.listMessages({ effectId: 'other-effect' })).map((m) => [m.id, m.status])).toEqual([[`${caseId}/m0`, 'printOnly']]);
      expect(await store.listMessages({ caseId, schoolIds: [otherSchoolId] })).toEqual([]);
      expect((await store.listMessages({ caseId, schoolIds: [schoolId] })).length).toBe(3);
    });

    it('when a page of messages is listed, then it is newest first, counted, without bodies, by school or by case', async () => {
      const first = await store.listMessagePage({ schoolIds: [schoolId], caseIds: [], limit: 2, offset: 0 });
      expect(first.total).toBe(3);
      expect(first.messages.map((m) => m.id)).toEqual([`${caseId}/m2`, `${caseId}/m1`]);
      for (const m of first.messages) {
        expect(m).not.toHaveProperty('raw');
        expect(m).not.toHaveProperty('pdf');
        expect(m.hasPdf).toBe(true);
      }
      expect(first.messages[1]).toMatchObject({ status: 'sent', transport: 'embedded', subject: 'Attendance', recipientName: 'Alex Ash' });
      expect(await store.listMessagePage({ schoolIds: [schoolId], caseIds: [], limit: 2, offset: 2 })).toMatchObject({ total: 3, messages: [{ id: `${caseId}/m0` }] });
      expect((await store.listMessagePage({ schoolIds: [schoolId], caseIds: [], limit: 2, offset: 10 })).total).toBe(3);
      expect((await store.listMessagePage({ schoolIds: [otherSchoolId], caseIds: [caseId], limit: 10, offset: 0 })).total).toBe(3);
      expect(await store.listMessagePage({ schoolIds: [otherSchoolId], caseIds: [], limit: 10, offset: 0 })).toEqual({ total: 0, messages: [] });
    });
  });

  describe('approvals', () => {
    let store: Store;
    beforeAll(() => {
      store = ctx.store;
    });
    const held = (caseId: string, n: number, requires: 'staff' | 'champion' = 'staff') => ({
      id: `${caseId}:v1:${n}`,
      kind: 'sendLetter',
      payload: { caseId, to: 'parents', template: 'west-coventry/letter-b' },
      approval: { requires, reason: 'letter to parents', evidence: { event: 'REVIEW_DUE', attendancePct: 88.5 } },
    });
    const approvalCase = async (upn: string) => {
      await store.upsertPupils(schoolId, [{ upn, forename: 'Ola', surname: 'Quince', dateOfBirth: '2012-03-04', yearGroup: '8', vulnerability: [], onRoll: true }]);
      return store.createCase(newCase(schoolId, upn), { timeline: [], effects: [] });
    };

    it('when an effect is written with an approval, then it is held with its evidence and never claimed', async () => {
      const record = await approvalCase('AP1');
      await store.commitTransition({
        caseId: record.id,
        expectedVersion: 1,
        state: 'stage1b',
        status: 'open',
        snapshot: {},
        timeline: [],
        effects: [held(record.id, 0), { id: `${record.id}:v1:1`, kind: 'createTask', payload: {} }],
        at,
      });
      expect(await store.getEffect(`${record.id}:v1:0`)).toMatchObject({
        status: 'held',
        approval: { requires: 'staff', evidence: { attendancePct: 88.5 }, heldAt: at, deferredUntil: null, edits: [], decisions: [] },
      });
      expect((await store.getEffect(`${record.id}:v1:1`))?.approval).toBeNull();
      const claimed = await store.claimEffects({ now: new Date(Date.now() + 3_600_000), limit: 1000, lockMs: 1000 });
      expect(claimed.map((e) => e.id)).not.toContain(`${record.id}:v1:0`);
      expect((await store.listEffects({ status: 'held', schoolIds: [schoolId] })).map((e) => e.id)).toContain(`${record.id}:v1:0`);
      expect(await store.listEffects({ status: 'held', schoolIds: [otherSchoolId] })).toEqual([]);
    });

    it('when a held effect is deferred, approved with an edit, and decided again, then each decision is kept and only the first approval counts', async () => {
      const record = await approvalCase('AP2');
      await store.commitTransition({ caseId: record.id, expectedVersion: 1, state: 's', status: 'open', snapshot: {}, timeline: [], effects: [held(record.id, 0)], at });
      const id = `${record.id}:v1:0`;
      const deferred = await store.decideEffect(id, { decision: 'defer', by: 'u1', at, reason: 'waiting for the meeting', until: '2025-01-20' }, entry('approval.defer', null, null));
      expect(deferred).toMatchObject({ status: 'held', approval: { deferredUntil: '2025-01-20' } });
      const edit = { recipient: 'k1', subject: 'Edited', text: 'Dear parent', original: { subject: 'Orig', text: 'Dear Ms Q' } };
      const approved = await store.decideEffect(id, { decision: 'approve', by: 'u2', at, edits: [edit] }, entry('approval.approve', null, null));
      expect(approved).toMatchObject({ status: 'pending', approval: { edits: [edit], deferredUntil: null } });
      expect(approved!.approval!.decisions.map((d) => [d.decision, d.by, d.at])).toEqual([['defer', 'u1', at], ['approve', 'u2', at]]);
      expect(approved!.nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now());
      expect(await store.decideEffect(id, { decision: 'reject', by: 'u3', at, reason: 'late' }, entry('approval.reject', null, null))).toBeNull();
      expect((await store.listTimeline(record.id)).map((t) => t.type)).toEqual(['approval.defer', 'approval.approve']);
      expect((await store.claimEffects({ now: new Date(), limit: 1000, lockMs: 1000 })).map((e) => e.id)).toContain(id);
    });

    it('when two people decide one held effect at once, then exactly one decision is written', async () => {
      const record = await approvalCase('AP3');
      await store.commitTransition({ caseId: record.id, expectedVersion: 1, state: 's', status: 'open', snapshot: {}, timeline: [], effects: [held(record.id, 0, 'champion')], at });
      const id = `${record.id}:v1:0`;
      const results = await Promise.all([
        store.decideEffect(id, { decision: 'approve', by: 'u1', at }, entry('approval.approve', null, null)),
        store.decideEffect(id, { decision: 'reject', by: 'u2', at, reason: 'no' }, entry('approval.reject', null, null)),
      ]);
      expect(results.filter((r) => r !== null)).toHaveLength(1);
      expect((await store.getEffect(id))!.approval!.decisions).toHaveLength(1);
      expect(await store.listTimeline(record.id)).toHaveLength(1);
    });

    it('when a transition cancels what is unsent, then held effects and unsent letters are cancelled and the rest stay', async () => {
      const record = await approvalCase('AP4');
      await store.commitTransition({
        caseId: record.id,
        expectedVersion: 1,
        state: 's',
        status: 'open',
        snapshot: {},
        timeline: [],
        effects: [
          held(record.id, 0),
          { id: `${record.id}:v1:1`, kind: 'sendLetter', payload: { caseId: record.id, to: 'parents', template: 'west-coventry/letter-a' } },
          { id: `${record.id}:v1:2`, kind: 'createTask', payload: {} },
          { id: `${record.id}:v1:3`, kind: 'notify', payload: { caseId: record.id, to: 'ewo', template: 'x' } },
        ],
        at,
      });
      await store.commitTransition({ caseId: record.id, expectedVersion: 2, state: 'closed', status: 'closed', snapshot: {}, timeline: [], effects: [], cancelUnsent: { reason: 'left' }, at });
      const statuses = Object.fromEntries((await store.listEffects({ caseId: record.id })).map((e) => [e.id.split(':').at(-1), [e.status, e.lastError]]));
      expect(statuses).toEqual({ '0': ['cancelled', 'left'], '1': ['cancelled', 'left'], '2': ['pending', null], '3': ['pending', null] });
      expect(await store.listNotifiedCaseIds({ schoolIds: [schoolId], recipients: ['ewo'] })).toContain(record.id);
    });

    it('when a referral is only held or rejected, then the case does not count as referred', async () => {
      const record = await approvalCase('AP5');
      const referral = { id: `${record.id}:v1:0`, kind: 'notify', payload: { caseId: record.id, to: 'la', template: 'x' }, approval: { requires: 'champion' as const, reason: 'legal', evidence: null } };
      await store.commitTransition({ caseId: record.id, expectedVersion: 1, state: 's', status: 'open', snapshot: {}, timeline: [], effects: [referral], at });
      expect(await store.listNotifiedCaseIds({ schoolIds: [schoolId], recipients: ['la'] })).not.toContain(record.id);
      await store.decideEffect(referral.id, { decision: 'approve', by: 'u1', at }, entry('approval.approve', null, null));
      expect(await store.listNotifiedCaseIds({ schoolIds: [schoolId], recipients: ['la'] })).toContain(record.id);
    });
  });
}
