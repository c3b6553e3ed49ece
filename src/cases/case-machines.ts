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

export interface SchoolMachine {
  workflow: Workflow;
  calendar: SchoolCalendar;
  machine: EscalationMachine;
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
    schoolMachine = { workflow, calendar, machine: workflow.createMachine(calendar) };
    byWorkflow.set(workflowId, schoolMachine);
  }
  return schoolMachine;
}

/** The school's workflow, counting school days by the school's own calendar. */
export async function schoolMachineFor(store: Store, school: Pick<School, 'id' | 'name' | 'workflowId' | 'localAuthority'>): Promise<SchoolMachine> {
  return machineFor(school.workflowId, await calendarForSchool(store, school));
}

/** A stored case as a live snapshot of the current machine version (migrating an older one). */
export function snapshotOf(schoolMachine: SchoolMachine, record: CaseRecord) {
  const persisted = record.snapshot as Omit<PersistedCase, 'version'>;
  return restore(schoolMachine.workflow, schoolMachine.machine, { ...persisted, version: record.machineVersion });
}

/** The first register date a measurement as of `asOf` reads: the policy's period or the 10-week window. */
export function marksNeededFrom(schoolMachine: SchoolMachine, asOf: IsoDate): IsoDate {
  return [periodStart(schoolMachine.workflow.policy, schoolMachine.calendar, asOf), schoolMachine.calendar.rollingWindowStart(asOf, 10)].sort()[0]!;
}

/** Whether the case, as stored, would take this event now: the pure transition changes it. */
export function acceptsEvent(schoolMachine: SchoolMachine, record: CaseRecord, event: CaseEvent): boolean {
  const snapshot = snapshotOf(schoolMachine, record);
  const next = transition(schoolMachine.machine, snapshot, event)[0];
  return next !== snapshot && next.status !== 'error';
}
