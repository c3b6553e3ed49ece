import { describe, it, expect, beforeAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Role, Store, User } from '../../src/store/types.ts';
import { at, entry, newCase, type ContractContext } from './support.ts';

const later = (ms: number) => new Date(at.getTime() + ms);

export function staffContract(ctx: ContractContext) {
  const { schoolId, otherSchoolId } = ctx;
  describe('staff accounts: links, single sign-on subjects, case assignment', () => {
    let store: Store;
    beforeAll(() => {
      store = ctx.store;
    });
    const account = (role: Role = 'pastoral', overrides: Partial<User> = {}): User => {
      const id = `staff-${randomUUID()}`;
      return { id, email: `${id}@example.org`, name: 'Sam Staff', role, schoolId: role === 'admin' ? null : schoolId, trustId: null, localAuthority: null, passwordHash: null, active: true, createdAt: at, ...overrides };
    };
    const stored = async (user: User) => {
      await store.upsertUser(user);
      return user;
    };
    const token = (userId: string, hash = randomUUID(), expiresAt = later(7 * 86_400_000)) => ({ hash, userId, purpose: 'invite' as const, createdAt: at, createdBy: 'admin', expiresAt });

    it('when a link is used before it expires, then the password is set once and a second use finds it used', async () => {
      const user = await stored(account());
      const link = token(user.id);
      await store.createStaffToken(link);
      expect(await store.getStaffToken(link.hash)).toEqual({ ...link, usedAt: null });
      expect(await store.listPendingStaffTokens([user.id], later(1000))).toEqual([{ ...link, usedAt: null }]);
      const done = await store.redeemStaffToken(link.hash, later(1000), 'hash-1');
      expect(done).toMatchObject({ status: 'done', user: { id: user.id, passwordHash: 'hash-1' } });
      expect(await store.redeemStaffToken(link.hash, later(2000), 'hash-2')).toEqual({ status: 'used' });
      expect((await store.getUser(user.id))?.passwordHash).toBe('hash-1');
      expect(await store.listPendingStaffTokens([user.id], later(3000))).toEqual([]);
    });

    it('when a link is used at the same moment twice, then exactly one use sets the password', async () => {
      const user = await stored(account());
      const link = token(user.id);
      await store.createStaffToken(link);
      const results = await Promise.all([store.redeemStaffToken(link.hash, later(1), 'a'), store.redeemStaffToken(link.hash, later(1), 'b')]);
      expect(results.map((r) => r.status).sort()).toEqual(['done', 'used']);
    });

    it('when a link has expired, is unknown, or a newer link was sent, then it sets nothing', async () => {
      const user = await stored(account());
      const first = token(user.id, randomUUID(), later(1000));
      await store.createStaffToken(first);
      expect(await store.redeemStaffToken(first.hash, later(1000), 'x')).toEqual({ status: 'expired' });
      expect(await store.redeemStaffToken('no-such-hash', later(0), 'x')).toEqual({ status: 'missing' });
      const second = token(user.id);
      await store.createStaffToken(second);
      expect(await store.getStaffToken(first.hash)).toBeNull();
      expect((await store.getUser(user.id))?.passwordHash).toBeNull();
    });

    it('when an account is made inactive, then its sessions and unused links go with it, and a link cannot set its password', async () => {
      const user = await stored(account());
      const link = token(user.id);
      await store.createStaffToken(link);
      await store.createSession({ idHash: randomUUID(), userId: user.id, csrfToken: 'c', createdAt: at, expiresAt: later(3_600_000) });
      expect(await store.updateStaffUser({ ...user, active: false, name: 'Sam Left' })).toBe('done');
      expect(await store.getUser(user.id)).toMatchObject({ active: false, name: 'Sam Left' });
      expect(await store.getStaffToken(link.hash)).toBeNull();
      expect(await store.deleteUserSessions(user.id)).toBe(0);
      expect(await store.updateStaffUser(account())).toBe('missing');
    });

    it('when an inactive account is sent a link anyway, then using it says so and leaves the link unused', async () => {
      const user = await stored(account('pastoral', { active: false }));
      const link = token(user.id);
      await store.createStaffToken(link);
      expect(await store.redeemStaffToken(link.hash, later(1), 'x')).toEqual({ status: 'inactive' });
      expect((await store.getStaffToken(link.hash))?.usedAt).toBeNull();
    });

    it('when a change would leave no active admin, then it is refused and nothing is written', async () => {
      const mine = await stored(account('admin'));
      for (const other of await store.listUsers({ role: 'admin', active: true })) {
        if (other.id !== mine.id) expect(await store.updateStaffUser({ ...other, active: false })).toBe('done');
      }
      expect(await store.updateStaffUser({ ...mine, active: false })).toBe('last-admin');
      expect(await store.updateStaffUser({ ...mine, role: 'pastoral', schoolId, name: 'Demoted' })).toBe('last-admin');
      expect(await store.getUser(mine.id)).toMatchObject({ role: 'admin', active: true, name: 'Sam Staff' });
      const second = await stored(account('admin'));
      const both = await Promise.all([store.updateStaffUser({ ...mine, active: false }), store.updateStaffUser({ ...second, active: false })]);
      expect(both.sort()).toEqual(['done', 'last-admin']);
      expect(await store.listUsers({ role: 'admin', active: true })).toHaveLength(1);
    });

    it('when sessions of an account are ended, then all of them go and others stay', async () => {
      const user = await stored(account());
      const other = await stored(account());
      for (const userId of [user.id, user.id, other.id]) await store.createSession({ idHash: randomUUID(), userId, csrfToken: 'c', createdAt: at, expiresAt: later(3_600_000) });
      expect(await store.deleteUserSessions(user.id)).toBe(2);
      expect(await store.deleteUserSessions(other.id)).toBe(1);
    });

    it('when sign-ins are recorded, then the latest is kept per account, whatever order they arrive in', async () => {
      const user = await stored(account());
      const never = await stored(account());
      await store.recordSignIn(user.id, later(2000));
      await store.recordSignIn(user.id, later(1000));
      expect(await store.listLastSignIns([user.id, never.id])).toEqual([{ userId: user.id, at: later(2000) }]);
      await store.recordSignIn(user.id, later(3000));
      expect((await store.listLastSignIns([user.id]))[0]?.at).toEqual(later(3000));
    });

    it('when an account is linked to a subject, then the subject finds it, and neither can be linked to another', async () => {
      const user = await stored(account());
      const other = await stored(account());
      const subject = randomUUID();
      const link = { userId: user.id, issuer: 'https://id.example.org', subject, linkedAt: at };
      expect(await store.linkIdentity(link)).toBe(true);
      expect(await store.linkIdentity(link)).toBe(true);
      expect(await store.findIdentity('https://id.example.org', subject)).toEqual(link);
      expect(await store.findIdentity('https://other.example.org', subject)).toBeNull();
      expect(await store.linkIdentity({ ...link, userId: other.id })).toBe(false);
      expect(await store.linkIdentity({ ...link, subject: randomUUID() })).toBe(false);
      expect(await store.listIdentities([user.id, other.id])).toEqual([link]);
    });

    it('when cases are assigned, moved from a leaver and unassigned, then each open case changes once, with a timeline entry, and the queue filters by it', async () => {
      const leaver = await stored(account());
      const taker = await stored(account());
      const tag = randomUUID().slice(0, 6);
      const upns = [`S${tag}1`, `S${tag}2`, `S${tag}3`];
      const pupil = (upn: string) => ({ upn, forename: 'Alex', surname: 'Rowan', dateOfBirth: '2012-03-04', yearGroup: '8', vulnerability: [], onRoll: true });
      await store.upsertPupils(schoolId, upns.map(pupil));
      await store.upsertPupils(otherSchoolId, [pupil(upns[0]!)]);
      const open = async (school: string, upn: string) => (await store.createCase(newCase(school, upn), { timeline: [entry('opened', null, 'stage1a')], effects: [] })).id;
      const [a, b, c] = [await open(schoolId, upns[0]!), await open(schoolId, upns[1]!), await open(schoolId, upns[2]!)];
      const elsewhere = await open(otherSchoolId, upns[0]!);
      const by = { actor: 'admin-1', at };
      expect((await store.assignCases({ caseIds: [a, b, elsewhere], to: leaver.id, ...by, schoolIds: [schoolId] })).sort()).toEqual([a, b].sort());
      expect(await store.assignCases({ caseIds: [a], to: leaver.id, ...by })).toEqual([]);
      expect((await store.listCaseAssignees([a, b, c, elsewhere])).map((x) => x.caseId).sort()).toEqual([a, b].sort());
      expect((await store.listCaseAssignees([a])).map((x) => x.userId)).toEqual([leaver.id]);
      const queue = await store.listQueue({ schoolIds: [schoolId], assignedTo: leaver.id });
      expect(queue.lines.map((line) => line.id).sort()).toEqual([a, b].sort());
      expect(queue.lines.map((line) => line.assignedTo)).toEqual([leaver.id, leaver.id]);
      expect((await store.listCases({ assignedTo: leaver.id })).total).toBe(2);

      expect((await store.assignCases({ from: leaver.id, to: taker.id, note: 'Sam has left', ...by })).sort()).toEqual([a, b].sort());
      expect((await store.listQueue({ assignedTo: leaver.id })).total).toBe(0);
      expect((await store.listQueue({ assignedTo: taker.id })).total).toBe(2);
      const timeline = await store.listTimeline(a);
      expect(timeline.filter((e) => e.type === 'assigned').map((e) => e.evidence)).toEqual([
        { assignee: leaver.id, previous: null, note: null },
        { assignee: taker.id, previous: leaver.id, note: 'Sam has left' },
      ]);
      expect(timeline.at(-1)).toMatchObject({ actor: 'admin-1', from: 'stage1a', to: 'stage1a' });
      expect((await store.getCase(a))?.version).toBe(1);

      expect(await store.assignCases({ caseIds: [a], to: null, ...by })).toEqual([a]);
      expect(await store.listCaseAssignees([a, b])).toEqual([{ caseId: b, userId: taker.id }]);
      await store.commitTransition({ caseId: b, expectedVersion: 1, state: 'closed.improved', status: 'closed', snapshot: {}, at, timeline: [], effects: [] });
      expect(await store.assignCases({ from: taker.id, to: leaver.id, ...by })).toEqual([]);
    });
  });
}
