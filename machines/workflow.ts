import type { StateValue } from 'xstate';
import type { AnyMachineSnapshot } from 'xstate';
import type { SchoolCalendar } from '../src/domain/calendar.ts';
import type { Policy } from '../src/domain/policy.ts';
import { toMermaid, toOverview, type StateNamer } from './diagram.ts';
import { words } from '../src/domain/words.ts';
import { createEscalationMachine } from './escalation.ts';
import type { EscalationMachine } from './escalation.ts';
import { EFFECT_TYPES } from '../src/domain/case-types.ts';
import type { Effect, PersistedCase } from '../src/domain/case-types.ts';

/** Upgrades a case persisted under version N to version N + 1 of the same workflow. */
export type Migration = (persisted: PersistedCase) => PersistedCase;

export interface WorkflowDefinition {
  policy: Policy;
  version: number;
  /** Keyed by the version a migration upgrades from. */
  migrations: Record<number, Migration>;
}

export interface Workflow {
  id: string;
  policy: Policy;
  version: number;
  createMachine(calendar?: SchoolCalendar): EscalationMachine;
  /** An older snapshot, upgraded one version at a time to the current one. */
  migrateSnapshot(fromVersion: number, persisted: PersistedCase): PersistedCase;
  /** The full statechart (Mermaid), in words. */
  diagram: string;
  /** The stages and legal routes at a glance (Mermaid), in words. */
  overview: string;
}

/** A state by the policy's name for it: a stage's own name ("Stage 1a"), else its key in words. */
const stageNamer =
  (policy: Policy): StateNamer =>
  (key) =>
    policy.stages.find((stage) => stage.id === key)?.name ?? words(key);

export function defineWorkflow({ policy, version, migrations }: WorkflowDefinition): Workflow {
  for (const from of Object.keys(migrations).map(Number)) {
    if (!(from >= 1 && from < version)) throw new Error(`${policy.id}: migration from v${from} is not below v${version}`);
  }
  return {
    id: policy.id,
    policy,
    version,
    createMachine: (calendar) => createEscalationMachine(policy, { version, calendar }),
    migrateSnapshot(fromVersion, persisted) {
      if (persisted.machineId !== policy.id) throw new Error(`a ${persisted.machineId} case cannot load as ${policy.id}`);
      if (fromVersion > version) throw new Error(`${policy.id} v${fromVersion} is newer than this code (v${version})`);
      let current: PersistedCase = { ...persisted, version: fromVersion };
      for (let from = fromVersion; from < version; from += 1) {
        const migration = migrations[from];
        if (!migration) throw new Error(`${policy.id}: no migration from v${from} to v${from + 1}`);
        current = { ...migration(current), version: from + 1 };
      }
      return current;
    },
    diagram: toMermaid(createEscalationMachine(policy, { version }), stageNamer(policy)),
    overview: toOverview(createEscalationMachine(policy, { version }), policy.stages.map((stage) => stage.id), stageNamer(policy)),
  };
}

/** What the case service stores for a snapshot: its value and context, with machine id and version. */
export function persist(workflow: Workflow, snapshot: AnyMachineSnapshot): PersistedCase {
  return { machineId: workflow.id, version: workflow.version, value: snapshot.value, context: snapshot.context };
}

/**
 * Rebuilds a stored case on the current machine, migrating it first. A state that no longer
 * exists makes resolveState throw or (when restored through an actor) leaves the snapshot in
 * error; both are reported the same way.
 */
export function restore(workflow: Workflow, machine: EscalationMachine, persisted: PersistedCase) {
  const current = workflow.migrateSnapshot(persisted.version, persisted);
  const fail = (why: string) =>
    new Error(`${workflow.id} v${workflow.version} cannot restore state ${JSON.stringify(current.value)}: ${why}`);
  let snapshot: ReturnType<EscalationMachine['resolveState']>;
  try {
    snapshot = machine.resolveState({ value: current.value as never, context: current.context });
  } catch (error) {
    throw fail(error instanceof Error ? error.message : String(error));
  }
  if (snapshot.status === 'error') throw fail('the snapshot is in error');
  return snapshot;
}

/** The effects among the actions transition() returned, as plain serialisable objects. */
export function effectsOf(actions: readonly { type: string; params?: unknown }[]): Effect[] {
  return actions
    .filter((action) => (EFFECT_TYPES as readonly string[]).includes(action.type))
    .map((action) => ({ type: action.type, params: action.params }) as Effect);
}

/** `{ open: { noticeToImprove: 'requested' } }` → `open.noticeToImprove.requested`. */
export function stateName(value: StateValue): string {
  if (typeof value === 'string') return value;
  return Object.entries(value)
    .map(([key, child]) => (child === undefined ? key : `${key}.${stateName(child)}`))
    .join(',');
}
