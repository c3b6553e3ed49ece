import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { freshDatabaseUrl } from '../support/postgres.ts';
import { openPostgres, type OpenedPostgres } from '../../src/store/postgres/open.ts';
import { QUEUE_TOTAL_CACHE_MS } from '../../src/store/postgres/postgres-store.ts';
import type { Store } from '../../src/store/types.ts';

const SCHOOL = 'queue-school';

function openCase(store: Store, upn: string) {
  const at = new Date();
  return store.createCase(
    { id: randomUUID(), schoolId: SCHOOL, upn, workflowId: 'west-coventry', machineId: 'west-coventry', machineVersion: 1, state: 'stage1a', status: 'open', snapshot: {}, openedAt: at },
    { timeline: [], effects: [] },
  );
}

describe('the work queue total, counted once and kept briefly', () => {
  // Two stores on one database stand for two processes of the service.
  let web: OpenedPostgres;
  let worker: OpenedPostgres;
  const total = async () => (await web.store.listQueue({ schoolIds: [SCHOOL], limit: 1 })).total;

  beforeAll(async () => {
    const url = await freshDatabaseUrl();
    [web, worker] = [await openPostgres(url), await openPostgres(url)];
    await web.store.upsertTrust({ id: 'trust', name: 'Trust' });
    await web.store.upsertSchool({ id: SCHOOL, trustId: 'trust', name: 'Queue School', workflowId: 'west-coventry', localAuthority: 'coventry' });
    const pupils = ['P1', 'P2', 'P3', 'P4'].map((upn) => ({ upn, forename: 'Pat', surname: upn, dateOfBirth: '2012-01-01', yearGroup: '8', vulnerability: [], onRoll: true }));
    await web.store.upsertPupils(SCHOOL, pupils);
    await openCase(web.store, 'P1');
    await openCase(web.store, 'P2');
  });
  afterAll(async () => {
    await worker?.close();
    await web?.close();
  });

  it('when this process writes a case, then the next page counts it', async () => {
    expect(await total()).toBe(2);
    await openCase(web.store, 'P3');
    expect(await total()).toBe(3);
  });

  it('when another process writes a case, then the total counts it within the time a total is kept', async () => {
    expect(await total()).toBe(3);
    await openCase(worker.store, 'P4');
    const seen = await total();
    expect([3, 4]).toContain(seen);
    await sleep(QUEUE_TOTAL_CACHE_MS + 50);
    expect(await total()).toBe(4);
  });
});
