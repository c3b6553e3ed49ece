import { randomUUID } from 'node:crypto';
import type { CaseAssignment, NewTimelineEntry } from './types.ts';

/** The timeline entry both adapters write for a reassigned case: who it went to and from; the case stays in its state. */
export function assignedEntry(assignment: CaseAssignment, state: string, previous: string | null): NewTimelineEntry {
  return {
    id: randomUUID(),
    at: assignment.at,
    actor: assignment.actor,
    type: 'assigned',
    from: state,
    to: state,
    evidence: { assignee: assignment.to, previous, note: assignment.note ?? null },
  };
}
