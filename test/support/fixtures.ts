import { randomUUID } from 'node:crypto';
import type { NewEffect, Store } from '../../src/store/types.ts';

/** A trust, a school and a pupil with an open case carrying the given effects. */
export async function caseWithEffects(store: Store, effects: NewEffect[], at = new Date('2025-01-10T09:00:00Z')) {
  const suffix = randomUUID().slice(0, 8);
  const trustId = `trust-${suffix}`;
  const schoolId = `school-${suffix}`;
  await store.upsertTrust({ id: trustId, name: 'Fixture Trust' });
  await store.upsertSchool({ id: schoolId, trustId, name: 'Fixture School', workflowId: 'national', localAuthority: 'coventry' });
  await store.upsertPupils(schoolId, [
    { upn: 'P1', forename: 'Pat', surname: 'Fixture', dateOfBirth: '2012-01-01', yearGroup: '8', vulnerability: [], onRoll: true },
  ]);
  const caseId = randomUUID();
  await store.createCase(
    {
      id: caseId,
      schoolId,
      upn: 'P1',
      workflowId: 'national',
      machineId: 'national',
      machineVersion: 1,
      state: 'stage1a',
      status: 'open',
      snapshot: { value: 'stage1a', context: {} },
      openedAt: at,
    },
    // The dispatcher under test runs on a manual clock: effects are due from the fixture's time.
    { timeline: [], effects: effects.map((effect) => ({ nextAttemptAt: at, ...effect })) },
  );
  return { trustId, schoolId, caseId };
}
