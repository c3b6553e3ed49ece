import { describe, it, expect, beforeAll } from 'vitest';
import { type Store } from '../../src/store/types.ts';
import { type ContractContext } from './support.ts';

export function organisationContract(ctx: ContractContext) {
  const { trustId, schoolId, otherSchoolId } = ctx;
  // Schools these tests add go in their own trust, so the listings of `trustId` above stay as they are.
  const setupTrustId = `${trustId}-setup`;
  describe('organisation', () => {
    let store: Store;
    beforeAll(() => {
      store = ctx.store;
    });
    it('when a store is reachable, then ping resolves', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('when trusts and schools are upserted twice, then they are updated, not duplicated', async () => {
      await store.upsertTrust({ id: trustId, name: 'Renamed Trust' });
      expect(await store.getTrust(trustId)).toEqual({ id: trustId, name: 'Renamed Trust', archivedAt: null });
      expect((await store.listTrusts()).filter((t) => t.id === trustId)).toHaveLength(1);
      expect(await store.getTrust('nope')).toBeNull();
      const schools = await store.listSchools({ trustId });
      expect(schools.map((s) => s.name)).toEqual(['A School', 'B School']);
      expect(await store.getSchool(otherSchoolId)).toMatchObject({ workflowId: 'hall-green', localAuthority: 'sandwell' });
      expect(await store.getSchool('nope')).toBeNull();
    });

    it('when a school is given its DfE numbers, phase and an archive date, then an upsert that leaves them out keeps them', async () => {
      const id = `details-${Date.now()}`;
      await store.upsertTrust({ id: setupTrustId, name: 'Setting Up Trust' });
      const base = { id, trustId: setupTrustId, name: 'C School', workflowId: 'kennet', localAuthority: 'west-berkshire' };
      await store.upsertSchool(base);
      expect(await store.getSchool(id)).toMatchObject({ urn: null, laEstab: null, phase: null, archivedAt: null });
      const archivedAt = new Date('2026-07-22T16:00:00Z');
      await store.upsertSchool({ ...base, urn: '912345', laEstab: '8694001', phase: 'secondary', archivedAt });
      await store.upsertSchool({ ...base, name: 'C School renamed' });
      expect(await store.getSchool(id)).toMatchObject({ name: 'C School renamed', urn: '912345', laEstab: '8694001', phase: 'secondary', archivedAt });
      await store.upsertSchool({ ...base, urn: null, archivedAt: null });
      expect(await store.getSchool(id)).toMatchObject({ urn: null, laEstab: '8694001', phase: 'secondary', archivedAt: null });
    });

    it('when two schools are given the same URN, then the second is refused', async () => {
      const urn = String(100000 + Math.floor(Math.random() * 800000));
      await store.upsertTrust({ id: setupTrustId, name: 'Setting Up Trust' });
      await store.upsertSchool({ id: `urn-a-${urn}`, trustId: setupTrustId, name: 'D School', workflowId: 'kennet', localAuthority: 'west-berkshire', urn });
      await expect(store.upsertSchool({ id: `urn-b-${urn}`, trustId: setupTrustId, name: 'E School', workflowId: 'kennet', localAuthority: 'west-berkshire', urn })).rejects.toThrow();
      expect((await store.getSchool(`urn-b-${urn}`)) ?? null).toBeNull();
    });

    it('when a trust is archived, then an upsert that leaves the date out keeps it', async () => {
      const id = `archived-${Date.now()}`;
      const archivedAt = new Date('2026-08-31T12:00:00Z');
      await store.upsertTrust({ id, name: 'Old Trust', archivedAt });
      await store.upsertTrust({ id, name: 'Old Trust renamed' });
      expect(await store.getTrust(id)).toEqual({ id, name: 'Old Trust renamed', archivedAt });
    });

    it('when a one-time setting is taken, then only the caller holding its current value gets it', async () => {
      const key = `one-time-${Date.now()}`;
      await store.putSetting(key, { tokenHash: 'abc', expiresAt: '2026-12-05T10:00:00.000Z' });
      expect(await store.takeSetting(key, { tokenHash: 'other', expiresAt: '2026-12-05T10:00:00.000Z' })).toBe(false);
      const takes = await Promise.all([1, 2, 3].map(() => store.takeSetting(key, { tokenHash: 'abc', expiresAt: '2026-12-05T10:00:00.000Z' })));
      expect(takes.filter(Boolean)).toHaveLength(1);
      expect(await store.getSetting(key)).toBeNull();
    });

    it('when pupils are upserted again with changes, then inserted and updated are counted apart', async () => {
      const counts = await store.upsertPupils(schoolId, [
        { upn: 'A4', forename: 'Dee', surname: 'Damson', dateOfBirth: '2012-05-06', yearGroup: '8', vulnerability: ['lac', 'ehcp'], onRoll: true },
        { upn: 'A5', forename: 'Eve', surname: 'Elder', dateOfBirth: '2013-01-02', yearGroup: '7', vulnerability: [], onRoll: false },
      ]);
      expect(counts).toEqual({ inserted: 1, updated: 1 });
      expect(await store.getPupil(schoolId, 'A4')).toEqual({
        schoolId,
        upn: 'A4',
        forename: 'Dee',
        surname: 'Damson',
        dateOfBirth: '2012-05-06',
        yearGroup: '8',
        vulnerability: ['lac', 'ehcp'],
        onRoll: true,
      });
      expect((await store.listPupils(schoolId)).map((p) => p.upn)).toEqual(['A1', 'A2', 'A3', 'A4', 'A5']);
      expect((await store.listPupils(schoolId, ['A3', 'A1', 'Z9'])).map((p) => p.upn)).toEqual(['A1', 'A3']);
      expect(await store.getPupil(otherSchoolId, 'A4')).toBeNull();
    });

    it('when contacts are replaced, then only the named pupils lose their old contacts', async () => {
      const mum = { upn: 'A1', name: 'Ann Ash', relationship: 'mother', email: 'ann@example.org', phone: null, parentalResponsibility: true, livesWith: true };
      await store.replaceContacts(schoolId, [mum, { ...mum, upn: 'A2', name: 'Bo Birch' }]);
      const dad = { ...mum, name: 'Al Ash', relationship: 'father', email: null, phone: '07700900123', livesWith: false };
      expect(await store.replaceContacts(schoolId, [mum, dad])).toEqual({ pupils: 1, contacts: 2 });
      expect((await store.listContacts(schoolId, 'A1')).map((c) => c.name)).toEqual(['Ann Ash', 'Al Ash']);
      expect(await store.listContacts(schoolId, 'A1')).toContainEqual({ schoolId, ...dad, address: null });
      expect((await store.listContacts(schoolId, 'A2')).map((c) => c.name)).toEqual(['Bo Birch']);
      expect((await store.listContacts(schoolId)).map((c) => [c.upn, c.name])).toEqual([
        ['A1', 'Ann Ash'],
        ['A1', 'Al Ash'],
        ['A2', 'Bo Birch'],
      ]);
    });

    it('when a contact has a postal address, then it is read back whole, and a contact without one reads as null', async () => {
      const gran = { upn: 'A3', name: 'Cy Cole', relationship: 'grandmother', email: null, phone: null, parentalResponsibility: true, livesWith: true };
      const twoLines = { lines: ['Flat 2, 14 Larkspur Road', 'Earlsdon'], town: 'Coventry', postcode: 'CV5 6AB' };
      const oneLine = { lines: ['7 Quarry Lane'], town: 'Birmingham', postcode: 'B28 9QT' };
      await store.replaceContacts(schoolId, [
        { ...gran, address: twoLines },
        { ...gran, name: 'Di Cole', address: oneLine },
        { ...gran, name: 'Ed Cole', address: null },
        { ...gran, name: 'Fi Cole' },
      ]);
      expect((await store.listContacts(schoolId, 'A3')).map((c) => [c.name, c.address])).toEqual([
        ['Cy Cole', twoLines],
        ['Di Cole', oneLine],
        ['Ed Cole', null],
        ['Fi Cole', null],
      ]);
      // Replaced without an address: the old one is gone with the old contact.
      await store.replaceContacts(schoolId, [gran]);
      expect(await store.listContacts(schoolId, 'A3')).toEqual([{ schoolId, ...gran, address: null }]);
    });
  });

  describe('settings', () => {
    let store: Store;
    beforeAll(() => {
      store = ctx.store;
    });
    it('when a setting is put twice, then the last value is read back, and an unknown key is null', async () => {
      expect(await store.getSetting('clock')).toBeNull();
      await store.putSetting('clock', { offsetMs: 5 });
      await store.putSetting('clock', { offsetMs: -86_400_000, demo: true });
      expect(await store.getSetting('clock')).toEqual({ offsetMs: -86_400_000, demo: true });
    });
  });
}
