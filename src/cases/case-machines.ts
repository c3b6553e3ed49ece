import { transition } from 'xstate';
import type { EscalationMachine } from '../../machines/escalation.ts';
import type { CaseEvent, PersistedCase } from '../domain/case-types.ts';
import { restore, type Workflow } from '../../machines/workflow.ts';
import type { SchoolCalendar } from '../domain/calendar.ts';
import type { CaseRecord, School, Store } from '../store/types.ts';
import { periodStart } from '../domain/evaluate.ts';
import type { IsoDate } from '../domain/types.ts';
import { getWorkflow } from '../../workflows/index.ts';
import { calendarForSchool } from '../calendars/school-calendars.ts';
import { documentKey, schoolWorkflow } from '../policies/school-policy.ts';

export interface SchoolMachine {
  workflow: Workflow;
  calendar: SchoolCalendar;
  machine: EscalationMachine;
  /** The version of the school's policy this machine runs: 1 is the built-in workflow the school was set up with. */
  policyVersion: number;
  /** The school's machine for each of its policy versions, for cases that started on (or stay on) an earlier one. */
  versions?: ReadonlyMap<number, SchoolMachine>;
}

/**
 * Machines are pure and costly to build: one per workflow and calendar. Schools on the same
 * calendar share one (calendarForSchool gives them the same object); a replaced calendar's go with it.
 */
const cache = new WeakMap<SchoolCalendar, Map<string, SchoolMachine>>();

export function machineFor(workflowId: string, calendar: SchoolCalendar): SchoolMachine {
  let byWorkflow = cache.get(calendar);
  if (!byWorkflow) cache.set(calendar, (byWorkflow = new Map()));
  let schoolMachine = byWorkflow.get(workflowId);
  if (!schoolMachine) {
    const workflow = getWorkflow(workflowId);
    schoolMachine = { workflow, calendar, machine: workflow.createMachine(calendar), policyVersion: 1 };
    byWorkflow.set(workflowId, schoolMachine);
  }
  return schoolMachine;
}

/**
 * A published version of a school's policy on a calendar; equal documents share a machine (its
 * key is the document's), so each (version, calendar) is built once however many cases ask.
 */
export function policyMachineFor(document: unknown, localAuthority: string, policyVersion: number, calendar: SchoolCalendar): SchoolMachine {
  let byWorkflow = cache.get(calendar);
  if (!byWorkflow) cache.set(calendar, (byWorkflow = new Map()));
  const key = `policy:${documentKey(document, localAuthority)}`;
  let built = byWorkflow.get(key);
  if (!built) {
    const workflow = schoolWorkflow(document, localAuthority);
    built = { workflow, calendar, machine: workflow.createMachine(calendar), policyVersion };
    byWorkflow.set(key, built);
  }
  return built.policyVersion === policyVersion ? built : { ...built, policyVersion };
}

type SchoolRef = Pick<School, 'id' | 'name' | 'workflowId' | 'localAuthority'>;

/**
 * The school's policy as published last (new cases open on it), with every earlier version the
 * school's open cases may still run, counting school days by the school's own calendar.
 */
export async function schoolMachineFor(store: Store, school: SchoolRef): Promise<SchoolMachine> {
  const calendar = await calendarForSchool(store, school);
  const builtIn = machineFor(school.workflowId, calendar);
  const published = await store.listPolicyVersions(school.id);
  if (published.length === 0) return builtIn;
  const versions = new Map<number, SchoolMachine>([[1, builtIn]]);
  for (const version of published) versions.set(version.version, policyMachineFor(version.document, school.localAuthority, version.version, calendar));
  const latest = versions.get(published.at(-1)!.version)!;
  return { ...latest, versions };
}

/** The version of the school's policy a case runs on: 1 (the built-in workflow) unless it says otherwise. */
export function policyVersionOf(record: Pick<CaseRecord, 'snapshot'>): number {
  const version = (record.snapshot as { policyVersion?: unknown } | null)?.policyVersion;
  return typeof version === 'number' && Number.isInteger(version) && version > 0 ? version : 1;
}

/** The machine a case runs on: the version of the school's policy it started on, or was moved to. */
export function caseMachine(schoolMachine: SchoolMachine, record: Pick<CaseRecord, 'snapshot'>): SchoolMachine {
  const version = policyVersionOf(record);
  if (version === schoolMachine.policyVersion) return schoolMachine;
  const found = schoolMachine.versions?.get(version);
  if (!found) throw new Error(`this case runs on version ${version} of the school’s policy, which the school has not published`);
  return found;
}

/** A stored case as a live snapshot of its policy version's machine (migrating an older machine version). */
export function snapshotOf(schoolMachine: SchoolMachine, record: CaseRecord) {
  const own = caseMachine(schoolMachine, record);
  const persisted = record.snapshot as Omit<PersistedCase, 'version'>;
  return restore(own.workflow, own.machine, { ...persisted, version: record.machineVersion });
}

/** The first register date a measurement as of `asOf` reads: the policy's period or the 10-week window. */
export function marksNeededFrom(schoolMachine: SchoolMachine, asOf: IsoDate): IsoDate {
  return [periodStart(schoolMachine.workflow.policy, schoolMachine.calendar, asOf), schoolMachine.calendar.rollingWindowStart(asOf, 10)].sort()[0]!;
}

/** Whether the case, as stored, would take this event now: the pure transition changes it. */
export function acceptsEvent(schoolMachine: SchoolMachine, record: CaseRecord, event: CaseEvent): boolean {
  const snapshot = snapshotOf(schoolMachine, record);
  const next = transition(caseMachine(schoolMachine, record).machine, snapshot, event)[0];
  return next !== snapshot && next.status !== 'error';
}
