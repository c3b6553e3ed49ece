// The register-mapping store methods, the same contract for both adapters: PostgreSQL always, MongoDB where a mongod exists.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { openTestPostgres } from '../support/postgres.ts';
import { findMongo } from '../support/mongo.ts';
import { openMongoStore } from '../../src/store/mongo/open.ts';
import type { RegisterMapping, Store } from '../../src/store/types.ts';
import type { OpenedStore } from './store-contract.ts';

const mongo = await findMongo();
if (!mongo) console.log('mongo register-mapping contract: skipped, no mongod available');
afterAll(async () => {
  await mongo?.stop();
});

function defineMappingContract(name: string, open: () => Promise<OpenedStore>) {
  describe(`register mapping contract: ${name}`, () => {
    let opened: OpenedStore;
    let store: Store;
    const school = `school-${randomUUID()}`;
    const neighbour = `school-${randomUUID()}`;
    const at = new Date('2025-09-01T08:00:00Z');
    const marks = (): RegisterMapping => ({
      schoolId: school,
      kind: 'marks',
      preset: 'sims',
      // Names as MIS files have them: dots and dollars are data, never paths or operators.
      columns: [
        { from: 'upn', to: 'upn' },
        { from: 'reg. group', to: '' },
        { from: '$where', to: 'code' },
      ],
      updatedAt: at,
      updatedBy: 'user-1',
    });

    beforeAll(async () => {
      opened = await open();
      store = opened.store;
      await store.upsertTrust({ id: `trust-${school}`, name: 'Mapping Trust' });
      for (const id of [school, neighbour]) {
        await store.upsertSchool({ id, trustId: `trust-${school}`, name: id, workflowId: 'west-coventry', localAuthority: 'coventry' });
      }
    });

    afterAll(async () => {
      await opened?.cleanup();
    });

    it('when a school never saved a mapping, then there is none', async () => {
      expect(await store.getRegisterMapping(school, 'pupils')).toBeNull();
    });

    it('when a mapping is saved, then it reads back as saved, for that school and kind only', async () => {
      await store.saveRegisterMapping(marks());
      expect(await store.getRegisterMapping(school, 'marks')).toEqual(marks());
      expect(await store.getRegisterMapping(school, 'contacts')).toBeNull();
      expect(await store.getRegisterMapping(neighbour, 'marks')).toBeNull();
    });

    it('when a mapping is saved again, then the new one replaces the old wholly', async () => {
      const later = { ...marks(), preset: null, columns: [{ from: 'pupil upn', to: 'upn' }], updatedAt: new Date('2025-09-02T08:00:00Z'), updatedBy: 'user-2' };
      await store.saveRegisterMapping(later);
      expect(await store.getRegisterMapping(school, 'marks')).toEqual(later);
    });

    it('when the kind is unknown or the school does not exist, then the save fails and nothing is written', async () => {
      const before = await store.getRegisterMapping(school, 'marks');
      await expect(store.saveRegisterMapping({ ...marks(), kind: 'timetable' as RegisterMapping['kind'] })).rejects.toThrow();
      await expect(store.saveRegisterMapping({ ...marks(), schoolId: `missing-${randomUUID()}` })).rejects.toThrow();
      expect(await store.getRegisterMapping(school, 'marks')).toEqual(before);
    });
  });
}

defineMappingContract('postgres', async () => {
  const pg = await openTestPostgres();
  return { store: pg.store, cleanup: pg.close };
});

describe.skipIf(!mongo)('mongo', () => {
  defineMappingContract('mongo', async () => {
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
