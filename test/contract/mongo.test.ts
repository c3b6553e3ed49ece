import { afterAll, describe } from 'vitest';
import { randomUUID } from 'node:crypto';
import { defineStoreContract } from './store-contract.ts';
import { findMongo } from '../support/mongo.ts';
import { openMongoStore } from '../../src/store/mongo/open.ts';

const mongo = await findMongo();
if (!mongo) console.log('mongo contract: skipped, no mongod available');

afterAll(async () => {
  await mongo?.stop();
});

describe.skipIf(!mongo)('mongo', () => {
  defineStoreContract('mongo', async () => {
    // A database of its own, so a MONGODB_URI shared with other work is left as it was.
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
