import { transition, type SnapshotFrom } from 'xstate';
import { LEGAL_TAG, legalEventTypes, type EscalationMachine } from '../../machines/escalation.ts';
import type { CaseEvent } from '../domain/case-types.ts';
import type { CaseRecord } from '../store/types.ts';
import { caseMachine, snapshotOf, type SchoolMachine } from './case-machines.ts';

// By machine: a school's view of its machines is made afresh per call, the machines themselves are kept.
const legalEvents = new WeakMap<EscalationMachine, Set<string>>();

/**
 * Whether a staff event on this case is a legal step (the senior attendance champion's), read
 * from the chart's legal states rather than a list kept by hand: an event one of them handles
 * (ESO, LA decision and court outcome included), or one that takes the case into a legal stage
 * (a considerations decision for a legal route) or out of one (withdrawing it, the pupil leaving).
 */
export function isLegalStep(schoolMachine: SchoolMachine, record: CaseRecord, event: CaseEvent): boolean {
  // The case's own policy version decides what its steps are.
  const own = caseMachine(schoolMachine, record);
  return isLegalStepAt(own, snapshotOf(own, record), event);
}

/** isLegalStep for a case at this snapshot of its machine. */
export function isLegalStepAt(schoolMachine: SchoolMachine, snapshot: SnapshotFrom<EscalationMachine>, event: CaseEvent): boolean {
  let types = legalEvents.get(schoolMachine.machine);
  if (!types) legalEvents.set(schoolMachine.machine, (types = legalEventTypes(schoolMachine.machine)));
  // Not accepted now: no step at all (the case service answers that it does not accept it).
  if (!snapshot.can(event)) return false;
  if (types.has(event.type)) return true;
  const after = transition(schoolMachine.machine, snapshot, event)[0];
  return after.status !== 'error' && snapshot.hasTag(LEGAL_TAG) !== after.hasTag(LEGAL_TAG);
}
