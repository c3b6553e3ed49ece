import { defineStoreContract } from './store-contract.ts';
import { openTestPostgres } from '../support/postgres.ts';

defineStoreContract('postgres', async () => {
  const opened = await openTestPostgres();
  return { store: opened.store, cleanup: opened.close };
});
