import { describe, expect, it } from 'vitest';
import { transition } from 'xstate';
import { definePolicy } from '../../../src/domain/policy.ts';
import { defineWorkflow, persist, restore } from '../../../machines/workflow.ts';
import type { PersistedCase } from '../../../src/domain/case-types.ts';
import { CaseRunner } from '../../../src/simulator/case-runner.ts';
import { stateName } from '../../../machines/workflow.ts';
import { calendarFor } from '../../../workflows/index.ts';
import { policy as westCoventry, workflow as v1 } from '../../../workflows/west-coventry.ts';
import { evidence, fire } from './support.ts';

// Version 2 of West Coventry's workflow names Stage 3 after its meeting. A case persisted while at
// Stage 3 under version 1 must carry on under version 2, timers and all.
const renamed = definePolicy(westCoventry, {
  stages: westCoventry.stages.map((stage) => (stage.id === 'stage3' ? { ...stage, id: 'teamAroundTheFamily' } : stage)),
});
const rename = (persisted: PersistedCase): PersistedCase => ({
  ...persisted,
  value: JSON.parse(JSON.stringify(persisted.value).replace('"stage3"', '"teamAroundTheFamily"')),
  context: { ...persisted.context, stage: persisted.context.stage === 'stage3' ? 'teamAroundTheFamily' : persisted.context.stage },
});
const v2 = defineWorkflow({ policy: renamed, version: 2, migrations: { 1: rename } });
const calendar = calendarFor(v1);

function caseAtStage3(): PersistedCase {
  const runner = new CaseRunner(v1, calendar, { caseId: 'v-1', upn: 'V1', parents: [{ id: 'mum' }] });
  runner.send({ type: 'OPEN', at: '2024-09-16', evidence: evidence(93) });
  for (let i = 0; i < 3; i += 1) fire(runner, 'review', evidence(92 - i, -1));
  expect(runner.state).toBe('open.stage3');
  return persist(v1, { value: { open: 'stage3' }, context: runner.context } as never);
}

describe('versioned workflows', () => {
  it('when a case is persisted, then its machine id and version go with it', () => {
    const persisted = caseAtStage3();
    expect(persisted).toMatchObject({ machineId: 'west-coventry', version: 1, value: { open: 'stage3' } });
    expect(v1.createMachine().version).toBe('1');
  });

  it('when a version 1 case loads on version 2, then it is migrated and continues, its review timer still valid', () => {
    const persisted = caseAtStage3();
    const machine = v2.createMachine(calendar);
    const snapshot = restore(v2, machine, persisted);
    expect(stateName(snapshot.value)).toBe('open.teamAroundTheFamily');
    const review = snapshot.context.timers.review;
    const [next, actions] = transition(machine, snapshot, {
      type: 'REVIEW_DUE',
      at: review?.dueDate ?? '',
      timerId: review?.timerId ?? '',
      evidence: evidence(88, -1),
    });
    expect(stateName(next.value)).toBe('open.teamAroundTheFamily');
    expect(actions.map((action) => action.type)).toContain('notify');
  });

  it('when a version 1 case loads on version 2 without the migration, then loading fails loudly instead of erroring silently', () => {
    const unmigrated = defineWorkflow({ policy: renamed, version: 2, migrations: { 1: (persisted) => persisted } });
    expect(() => restore(unmigrated, unmigrated.createMachine(calendar), caseAtStage3())).toThrow(/cannot restore/);
  });

  it('when a migration is missing or the case is newer than the code, then migrateSnapshot refuses', () => {
    const gap = defineWorkflow({ policy: renamed, version: 3, migrations: { 1: rename } });
    expect(() => gap.migrateSnapshot(1, caseAtStage3())).toThrow(/no migration from v2/);
    expect(() => v1.migrateSnapshot(2, { ...caseAtStage3(), version: 2 })).toThrow(/newer/);
  });
});
