import { TEST_MONGODB_URI } from './test-env.ts';

export interface FoundMongo {
  /** A replica set's URI: the store's transactions need one. */
  uri: string;
  stop(): Promise<void>;
}

/**
 * A MongoDB for the tests, or null when none can be had: `MONGODB_URI` given to `npm test` (moved
 * to TEST_MONGODB_URI by the vitest config, so only these suites see it; it must be a
 * replica set), else a single-member replica set started from `MONGOMS_SYSTEM_BINARY` or a mongod
 * that mongodb-memory-server downloaded earlier. Never downloads one: where no mongod exists
 * (our build machines) the attempt would only hang on the network and then fail.
 */
export async function findMongo(): Promise<FoundMongo | null> {
  const uri = process.env[TEST_MONGODB_URI];
  if (uri) return { uri, stop: async () => {} };
  process.env.MONGOMS_RUNTIME_DOWNLOAD = 'false';
  // Loaded only here, after the variable is set, and never when MONGODB_URI is given.
  const { DryMongoBinary, MongoMemoryReplSet } = await import('mongodb-memory-server');
  // A MONGOMS_SYSTEM_BINARY that does not exist throws here: a misconfiguration, not "no mongod".
  const binary = await DryMongoBinary.locateBinary(await DryMongoBinary.generateOptions());
  if (!binary) return null;
  const replSet = await MongoMemoryReplSet.create({ replSet: { count: 1, storageEngine: 'wiredTiger' } });
  return {
    uri: replSet.getUri(),
    stop: async () => {
      await replSet.stop();
    },
  };
}
