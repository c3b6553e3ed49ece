import { describe, it, expect, beforeAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import { type Store } from '../../src/store/types.ts';
import { at, newCase, marks, type ContractContext } from './support.ts';

export function accountContract(ctx: ContractContext) {
  const { trustId, schoolId, otherSchoolId } = ctx;
  describe('accounts, sessions, sign-in failures, audit and retention', () => {
    let store: Store;
    beforeAll(() => {
      store = ctx.store;
    });
    const user = (id: string, email: string) => ({
      id,
      email,
      name: 'Pat Pastoral',
      role: 'pastoral' as const,
      schoolId,
      trustId: null,
      localAuthority: null,
      passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
      active: true,
      createdAt: at,
    });
    const userId = `user-${randomUUID()}`;

    it('when accounts are listed with a filter, then only those matching every field come back, by name', async () => {
      const tag = randomUUID().slice(0, 8);
      const make = (id: string, name: string, role: 'pastoral' | 'champion', active: boolean) => ({ ...user(`${id}-${tag}`, `${id}-${tag}@example.org`), name, role, active });
      await store.upsertUser(make('zed', 'Zed Zebra', 'champion', true));
      await store.upsertUser(make('amy', 'Amy Apple', 'pastoral', true));
      await store.upsertUser(make('bob', 'Bob Birch', 'pastoral', false));
      const mine = (users: { id: string }[]) => users.map((u) => u.id).filter((id) => id.endsWith(tag));
      expect(mine(await store.listUsers({ schoolId }))).toEqual([`amy-${tag}`, `bob-${tag}`, `zed-${tag}`]);
      expect(mine(await store.listUsers({ schoolId, role: 'pastoral', active: true }))).toEqual([`amy-${tag}`]);
      expect(mine(await store.listUsers({ schoolId: otherSchoolId }))).toEqual([]);
      expect(mine(await store.listUsers())).toHaveLength(3);
    });

    it('when an account is stored, then it is found by id and by its email in any case, and an upsert replaces it', async () => {
      await store.upsertUser(user(userId, `Pat.${userId}@Example.org`));
      expect(await store.getUser(userId)).toEqual(user(userId, `pat.${userId}@example.org`));
      expect((await store.findUserByEmail(`PAT.${userId}@example.org`))?.id).toBe(userId);
      await store.upsertUser({ ...user(userId, `pat.${userId}@example.org`), role: 'champion', active: false });
      expect(await store.getUser(userId)).toMatchObject({ role: 'champion', active: false });
      expect(await store.getUser('missing')).toBeNull();
      expect(await store.findUserByEmail('nobody@example.org')).toBeNull();
    });

    it('when a second account takes an email already used, then it is refused', async () => {
      await expect(store.upsertUser(user(`user-${randomUUID()}`, `pat.${userId}@example.org`))).rejects.toThrow();
    });

    it('when sessions are created, read, deleted and expire, then only live ones remain', async () => {
      const session = (idHash: string, expiresAt: Date) => ({ idHash, userId, csrfToken: `csrf-${idHash}`, createdAt: at, expiresAt });
      const live = session(`live-${randomUUID()}`, new Date('2025-01-10T17:00:00Z'));
      const old = session(`old-${randomUUID()}`, new Date('2025-01-10T08:00:00Z'));
      const gone = session(`gone-${randomUUID()}`, new Date('2025-01-10T17:00:00Z'));
      for (const s of [live, old, gone]) await store.createSession(s);
      expect(await store.getSession(live.idHash)).toEqual(live);
      await store.deleteSession(gone.idHash);
      expect(await store.getSession(gone.idHash)).toBeNull();
      expect(await store.deleteExpiredSessions(at)).toBeGreaterThanOrEqual(1);
      expect(await store.getSession(old.idHash)).toBeNull();
      expect(await store.getSession(live.idHash)).toEqual(live);
    });

    it('when sign-in failures are recorded, then they are counted within the window per key and cleared', async () => {
      const key = `email:${randomUUID()}`;
      for (const minutes of [1, 5, 20]) await store.recordLoginFailure(key, new Date(at.getTime() - minutes * 60_000));
      await store.recordLoginFailure(`${key}-other`, at);
      expect(await store.countLoginFailures(key, new Date(at.getTime() - 15 * 60_000))).toBe(2);
      await store.clearLoginFailures(key);
      expect(await store.countLoginFailures(key, new Date(0))).toBe(0);
      expect(await store.countLoginFailures(`${key}-other`, new Date(0))).toBe(1);
    });

    it('when old sign-in failures expire, then only those recorded before the cut-off are deleted', async () => {
      const key = `address:${randomUUID()}`;
      await store.recordLoginFailure(key, new Date('2001-01-01T00:00:00Z'));
      await store.recordLoginFailure(key, new Date('2001-03-01T00:00:00Z'));
      expect(await store.deleteLoginFailuresBefore(new Date('2001-02-01T00:00:00Z'))).toBeGreaterThanOrEqual(1);
      expect(await store.countLoginFailures(key, new Date(0))).toBe(1);
    });

    it('when audit entries are appended, then they are listed newest first, filtered and paged', async () => {
      const actor = `user-${randomUUID()}`;
      const audit = (action: string, minute: number, extra: { caseId?: string; school?: string } = {}) => ({
        id: randomUUID(),
        at: new Date(at.getTime() + minute * 60_000),
        actor,
        action,
        schoolId: extra.school ?? schoolId,
        caseId: extra.caseId ?? null,
        upn: 'A1',
        detail: { route: 'test', n: minute },
      });
      await store.appendAudit([audit('case.read', 1, { caseId: 'case-x' }), audit('pupil.read', 2), audit('case.event', 3, { caseId: 'case-x', school: otherSchoolId })]);
      const all = await store.listAudit({ actor });
      expect(all.total).toBe(3);
      expect(all.entries.map((e) => e.action)).toEqual(['case.event', 'pupil.read', 'case.read']);
      expect(all.entries[2]).toMatchObject({ actor, schoolId, caseId: 'case-x', upn: 'A1', detail: { route: 'test', n: 1 } });
      expect((await store.listAudit({ actor, caseId: 'case-x' })).entries.map((e) => e.action)).toEqual(['case.event', 'case.read']);
      expect((await store.listAudit({ actor, schoolIds: [otherSchoolId] })).total).toBe(1);
      expect((await store.listAudit({ actor, from: new Date(at.getTime() + 2 * 60_000), to: new Date(at.getTime() + 3 * 60_000) })).entries.map((e) => e.action)).toEqual(['pupil.read']);
      const page = await store.listAudit({ actor, limit: 1, offset: 1 });
      expect([page.total, page.entries.map((e) => e.action)]).toEqual([3, ['pupil.read']]);
    });

    it('when a case has a notification to the EWO, then it is listed as referred for its school only', async () => {
      const referred = newCase(otherSchoolId, 'B1');
      await store.createCase(referred, {
        timeline: [],
        effects: [
          { id: `${referred.id}:v1:0`, kind: 'notify', payload: { caseId: referred.id, to: 'ewo', template: 'x' } },
          { id: `${referred.id}:v1:1`, kind: 'notify', payload: { caseId: referred.id, to: 'socialWorker', template: 'y' } },
        ],
      });
      expect(await store.listNotifiedCaseIds({ schoolIds: [otherSchoolId], recipients: ['ewo', 'la'] })).toEqual([referred.id]);
      expect(await store.listNotifiedCaseIds({ schoolIds: [otherSchoolId], recipients: ['la'] })).toEqual([]);
      expect(await store.listNotifiedCaseIds({ schoolIds: [schoolId], recipients: ['ewo'] })).not.toContain(referred.id);
    });

    it('when the register is purged before a date, then older marks and amendments go and newer ones stay', async () => {
      const purgeSchool = `school-${randomUUID()}`;
      await store.upsertSchool({ id: purgeSchool, trustId, name: 'C School', workflowId: 'west-coventry', localAuthority: 'coventry' });
      await store.upsertPupils(purgeSchool, [{ upn: 'C1', forename: 'Sam', surname: 'Oak', dateOfBirth: '2012-03-04', yearGroup: '8', vulnerability: [], onRoll: true }]);
      const write = async (rows: [string, 'AM' | 'PM', string][]) => {
        const staged = await store.beginMarksImport(purgeSchool, { actor: 'system:test', reason: 'test', at });
        await staged.add(marks('C1', rows));
        await staged.commit();
      };
      await write([['2018-01-08', 'AM', '/'], ['2018-01-08', 'PM', '/'], ['2025-01-06', 'AM', '/']]);
      await write([['2018-01-08', 'AM', 'O']]);
      const purged = await store.purgeRegisterBefore('2019-01-01');
      expect(purged.marks).toBeGreaterThanOrEqual(2);
      expect(purged.amendments).toBeGreaterThanOrEqual(1);
      expect(await store.listMarks(purgeSchool, 'C1')).toEqual([{ upn: 'C1', date: '2025-01-06', session: 'AM', code: '/' }]);
      expect(await store.listAmendments(purgeSchool, 'C1')).toEqual([]);
    });
  });
}
