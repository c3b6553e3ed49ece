// The school-calendar store methods, the same contract for both adapters: PostgreSQL always, MongoDB where a mongod exists.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { openTestPostgres } from '../support/postgres.ts';
import { findMongo } from '../support/mongo.ts';
import { openMongoStore } from '../../src/store/mongo/open.ts';
import type { CalendarEntry } from '../../src/domain/school-calendar.ts';
import type { Store } from '../../src/store/types.ts';
import type { OpenedStore } from './store-contract.ts';

const mongo = await findMongo();
if (!mongo) console.log('mongo calendar contract: skipped, no mongod available');
afterAll(async () => {
  await mongo?.stop();
});

const at = new Date('2025-09-01T08:00:00Z');
const inset: CalendarEntry = { kind: 'inset', start: '2025-09-01', end: '2025-09-01', description: 'Training day' };
const term: CalendarEntry = { kind: 'term', start: '2025-09-01', end: '2025-10-24', description: 'Autumn 1' };
const snow: CalendarEntry = { kind: 'closure', start: '2025-01-08', end: '2025-01-09', description: 'Snow: $where.x {"$ne": null}' };

function defineCalendarContract(name: string, open: () => Promise<OpenedStore>) {
  describe(`calendar contract: ${name}`, () => {
    let opened: OpenedStore;
    let store: Store;
    const school = `school-${randomUUID()}`;
    const neighbour = `school-${randomUUID()}`;

    beforeAll(async () => {
      opened = await open();
      store = opened.store;
      await store.upsertTrust({ id: `trust-${school}`, name: 'Calendar Trust' });
      for (const id of [school, neighbour]) {
        await store.upsertSchool({ id, trustId: `trust-${school}`, name: id, workflowId: 'west-coventry', localAuthority: 'coventry' });
      }
    });

    afterAll(async () => {
      await opened?.cleanup();
    });

    it('when a school never saved a calendar, then it has none, at revision 0', async () => {
      expect(await store.getSchoolCalendar(neighbour)).toEqual({ schoolId: neighbour, entries: [], revision: 0, updatedAt: null, updatedBy: null });
    });

    it('when a calendar is saved, then it reads back in date order, terms first, with who saved it and revision 1', async () => {
      const saved = await store.saveSchoolCalendar(school, [snow, inset, term], { expectedRevision: 0, by: 'user-1', at });
      const expected = { schoolId: school, entries: [snow, term, inset], revision: 1, updatedAt: at, updatedBy: 'user-1' };
      expect(saved).toEqual(expected);
      expect(await store.getSchoolCalendar(school)).toEqual(expected);
      expect((await store.getSchoolCalendar(neighbour)).entries).toEqual([]);
    });

    it('when a save names a revision that is no longer current, then nothing is written', async () => {
      expect(await store.saveSchoolCalendar(school, [], { expectedRevision: 0, by: 'user-2', at })).toBeNull();
      expect(await store.saveSchoolCalendar(school, [], { expectedRevision: 7, by: 'user-2', at })).toBeNull();
      expect((await store.getSchoolCalendar(school)).entries).toEqual([snow, term, inset]);
    });

    it('when a save names the current revision, then its entries replace the old ones wholly', async () => {
      const later = new Date('2025-09-02T08:00:00Z');
      const saved = await store.saveSchoolCalendar(school, [inset], { expectedRevision: 1, by: 'user-2', at: later });
      expect(saved).toEqual({ schoolId: school, entries: [inset], revision: 2, updatedAt: later, updatedBy: 'user-2' });
      expect(await store.saveSchoolCalendar(school, [], { expectedRevision: 2, by: 'user-2', at: later })).toMatchObject({ entries: [], revision: 3 });
    });

    it('when two people save from the same revision at once, then exactly one save is kept', async () => {
      const current = (await store.getSchoolCalendar(school)).revision;
      const results = await Promise.all(
        [term, inset, snow].map((entry, i) => store.saveSchoolCalendar(school, [entry], { expectedRevision: current, by: `user-${i}`, at })),
      );
      const kept = results.filter((r) => r !== null);
      expect(kept).toHaveLength(1);
      expect(await store.getSchoolCalendar(school)).toEqual(kept[0]);
      const first = await Promise.all([1, 2].map((i) => store.saveSchoolCalendar(neighbour, [inset], { expectedRevision: 0, by: `user-${i}`, at })));
      expect(first.filter((r) => r !== null)).toHaveLength(1);
    });

    it('when an entry has a kind the store does not know, or the school does not exist, then the save fails and nothing is written', async () => {
      const before = await store.getSchoolCalendar(school);
      const bad = { ...inset, kind: 'party' } as unknown as CalendarEntry;
      await expect(store.saveSchoolCalendar(school, [term, bad], { expectedRevision: before.revision, by: 'user-3', at })).rejects.toThrow();
      expect(await store.getSchoolCalendar(school)).toEqual(before);
      await expect(store.saveSchoolCalendar(`missing-${randomUUID()}`, [inset], { expectedRevision: 0, by: 'user-3', at })).rejects.toThrow();
    });
  });
}

defineCalendarContract('postgres', async () => {
  const pg = await openTestPostgres();
  return { store: pg.store, cleanup: pg.close };
});

describe.skipIf(!mongo)('mongo', () => {
  defineCalendarContract('mongo', async () => {
    const store = await openMongoStore(mongo!.uri, { dbName: `t_${randomUUID().replaceAll('-', '').slice(0, 16)}` });
    return {
      store,
      cleanup: async () => {
        await store.db.dropDatabase();
        await store.close();
      },
    };
  });
});
