import { afterAll, describe } from 'vitest';
import { randomUUID } from 'node:crypto';
import { MongoBackend } from '@agendajs/mongo-backend';
import { findMongo } from '../support/mongo.ts';
import { openMongoStore } from '../../src/store/mongo/open.ts';
import { defineDurableCase } from './durable-case.ts';

const mongo = await findMongo();
if (!mongo) console.log('mongo durable case: skipped, no mongod available');

afterAll(async () => {
  await mongo?.stop();
});

describe.skipIf(!mongo)('mongo', () => {
  defineDurableCase('mongo', async () => {
    const store = await openMongoStore(mongo!.uri, { dbName: `t_${randomUUID().replaceAll('-', '').slice(0, 16)}` });
    return {
      store,
      agendaBackend: () => new MongoBackend({ mongo: store.db }),
      close: async () => {
        await store.db.dropDatabase();
        await store.close();
      },
    };
  });
});
