// Open cases moved from one version of the school's policy to another by a mapping of states the
// publisher confirms: each case is checked on the new version first, and the move itself sends
// nothing (no letter, no notification, no legal step) and sets no new deadline.
import { randomUUID } from 'node:crypto';
import type { StateValue } from 'xstate';
import { persist, restore, stateName } from '../../machines/workflow.ts';
import { policyVersionOf, schoolMachineFor, type SchoolMachine } from '../cases/case-machines.ts';
import { AppError } from '../errors.ts';
import { VersionConflict, type CaseRecord, type Store, type TransitionCommit } from '../store/types.ts';
import type { SchoolRef } from './policy-service.ts';

/** A mapping from a state of the old version to a state of the new one, as `open.stage1a` → `open.stage1b`. */
export type StateMapping = Record<string, string>;

export interface MigrationCase {
  caseId: string;
  upn: string;
  name: string;
  state: string;
  /** Where it would be on the new version; null when its state has no mapping yet. */
  newState: string | null;
  problem: string | null;
  /** What the move sends: always nothing; the case's next review keeps its date. */
  sends: string[];
  nextReview: string | null;
}

export interface MigrationPlan {
  from: number;
  to: number;
  /** Each state open cases on `from` are in, with the states of `to` it may be mapped to. */
  states: { state: string; cases: number; choices: string[]; chosen: string | null }[];
  cases: MigrationCase[];
}

const supportStage = (state: string) => /^open\.[a-zA-Z0-9]+$/.test(state) && !['open.considering', 'open.monitoring'].includes(state);

/** `open.stage1b` → `{ open: 'stage1b' }`. */
function stateValueOf(name: string): StateValue {
  const [head, ...rest] = name.split('.');
  return rest.length === 0 ? head! : { [head!]: stateValueOf(rest.join('.')) };
}

function machinesOf(school: SchoolMachine, from: number, to: number): [SchoolMachine, SchoolMachine] {
  const find = (v: number) => (v === school.policyVersion ? school : school.versions?.get(v));
  const [a, b] = [find(from), find(to)];
  if (!a) throw new AppError(404, 'not_found', `no policy version ${from}`);
  if (!b) throw new AppError(404, 'not_found', `no policy version ${to}`);
  if (from === to) throw new AppError(400, 'invalid_request', 'choose two different versions');
  return [a, b];
}

/**
 * The states a case may be moved to: a support stage to any support stage of the new version;
 * a case at the threshold considerations or in a legal step only to the same state, so no move can
 * take a case past the five considerations or out of a legal process.
 */
function choicesFor(state: string, target: SchoolMachine): string[] {
  if (supportStage(state)) return target.workflow.policy.stages.map((stage) => `open.${stage.id}`);
  return [state];
}

async function openCasesOn(store: Store, schoolId: string, version: number): Promise<CaseRecord[]> {
  const { cases } = await store.listCases({ schoolIds: [schoolId], status: 'open', limit: 100_000 });
  return cases.filter((record) => policyVersionOf(record) === version);
}

function moved(record: CaseRecord, newState: string, target: SchoolMachine, from: number, by: string, at: Date): TransitionCommit {
  const persisted = record.snapshot as { value: StateValue; context: Record<string, unknown> & { stage?: string | null } };
  const stage = supportStage(newState) ? newState.split('.')[1]! : (persisted.context.stage ?? null);
  const snapshot = restore(target.workflow, target.machine, {
    machineId: target.workflow.id,
    version: record.machineVersion,
    value: stateValueOf(newState),
    context: { ...persisted.context, stage } as never,
  });
  const state = stateName(snapshot.value);
  return {
    caseId: record.id,
    expectedVersion: record.version,
    state,
    status: 'open',
    snapshot: { ...persist(target.workflow, snapshot), policyVersion: target.policyVersion },
    machineVersion: target.workflow.version,
    timeline: [
      { id: randomUUID(), at, actor: by, type: 'policy.migrated', from: record.state, to: state, evidence: { fromVersion: from, toVersion: target.policyVersion, policyVersion: target.policyVersion, sent: [] } },
    ],
    effects: [],
    // A letter still waiting for approval belongs to the stage the case has left: it is withdrawn, not sent late.
    ...(stage !== (persisted.context.stage ?? null) ? { cancelUnsent: { reason: 'withdrawn unsent: the case moved to another stage of the school’s new policy', heldLettersOnly: true } } : {}),
    at,
  };
}

/** What moving the open cases on `from` to `to` with this mapping would do, case by case. Nothing is written. */
export async function planMigration(store: Store, school: SchoolRef, from: number, to: number, mapping: StateMapping): Promise<MigrationPlan> {
  const schoolMachine = await schoolMachineFor(store, school);
  const [, target] = machinesOf(schoolMachine, from, to);
  const records = await openCasesOn(store, school.id, from);
  const pupils = new Map((await store.listPupils(school.id, [...new Set(records.map((r) => r.upn))])).map((p) => [p.upn, p]));
  const states = [...new Set(records.map((r) => r.state))].sort().map((state) => {
    const choices = choicesFor(state, target);
    const asked = mapping[state];
    const chosen = asked && choices.includes(asked) ? asked : choices.includes(state) ? state : null;
    return { state, cases: records.filter((r) => r.state === state).length, choices, chosen };
  });
  const cases = records.map((record): MigrationCase => {
    const pupil = pupils.get(record.upn);
    const chosen = states.find((s) => s.state === record.state)!.chosen;
    const base = { caseId: record.id, upn: record.upn, name: pupil ? `${pupil.forename} ${pupil.surname}` : record.upn, state: record.state, sends: [] as string[] };
    const review = (record.snapshot as { context?: { timers?: Record<string, { dueDate: string }> } }).context?.timers?.review?.dueDate ?? null;
    if (!chosen) return { ...base, newState: null, problem: 'choose the stage this case moves to', nextReview: review };
    try {
      const commit = moved(record, chosen, target, from, 'preview', new Date());
      return { ...base, newState: commit.state, problem: null, nextReview: review };
    } catch (error) {
      return { ...base, newState: null, problem: `cannot move: ${(error as Error).message.slice(0, 200)}`, nextReview: review };
    }
  });
  return { from, to, states, cases };
}

/**
 * Moves the named open cases (all of them on `from` when none are named) with the confirmed
 * mapping: each in its own versioned write with a timeline entry, none sending anything.
 */
export async function applyMigration(
  store: Store,
  school: SchoolRef,
  request: { from: number; to: number; mapping: StateMapping; caseIds?: string[] },
  meta: { by: string; at: Date },
): Promise<{ moved: { caseId: string; from: string; to: string }[]; skipped: { caseId: string; reason: string }[] }> {
  const plan = await planMigration(store, school, request.from, request.to, request.mapping);
  const wanted = request.caseIds ? new Set(request.caseIds) : null;
  const chosen = plan.cases.filter((c) => !wanted || wanted.has(c.caseId));
  if (wanted && chosen.length !== wanted.size) throw new AppError(400, 'invalid_request', `some cases named are not open on version ${request.from} of this school’s policy`);
  const unmapped = chosen.filter((c) => c.problem);
  if (unmapped.length) throw new AppError(422, 'mapping_incomplete', `${unmapped.length} case(s) cannot move with this mapping: ${unmapped[0]!.name}: ${unmapped[0]!.problem}`, { cases: unmapped.map((c) => ({ caseId: c.caseId, problem: c.problem })) });
  const schoolMachine = await schoolMachineFor(store, school);
  const [, target] = machinesOf(schoolMachine, request.from, request.to);
  const result = { moved: [] as { caseId: string; from: string; to: string }[], skipped: [] as { caseId: string; reason: string }[] };
  for (const item of chosen) {
    const record = await store.getCase(item.caseId);
    if (!record || record.status !== 'open' || policyVersionOf(record) !== request.from || record.state !== item.state) {
      result.skipped.push({ caseId: item.caseId, reason: 'the case changed meanwhile: preview again' });
      continue;
    }
    try {
      await store.commitTransition(moved(record, item.newState!, target, request.from, meta.by, meta.at));
      result.moved.push({ caseId: item.caseId, from: item.state, to: item.newState! });
    } catch (error) {
      if (!(error instanceof VersionConflict)) throw error;
      result.skipped.push({ caseId: item.caseId, reason: 'the case changed meanwhile: preview again' });
    }
  }
  return result;
}
