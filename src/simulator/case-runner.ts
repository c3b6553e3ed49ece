import { initialTransition, transition } from 'xstate';
import type { StateValue } from 'xstate';
import type { EscalationMachine } from '../../machines/escalation.ts';
import type { CaseContext, CaseEvent, CaseInput, Effect, Timer } from '../domain/case-types.ts';
import { effectsOf, stateName } from '../../machines/workflow.ts';
import type { Workflow } from '../../machines/workflow.ts';
import type { SchoolCalendar } from '../domain/calendar.ts';
import { compareDates } from '../domain/dates.ts';
import type { IsoDate } from '../domain/types.ts';

/** One event applied to one case, as the simulator prints it and the timeline records it. */
export interface TransitionRecord {
  caseId: string;
  event: CaseEvent;
  from: string;
  to: string;
  effects: Effect[];
  /** False when the machine ignored the event: no state, context or effect changed. */
  changed: boolean;
}


type Snapshot = ReturnType<EscalationMachine['transition']>;

/**
 * Holds one case's snapshot and feeds it events through the pure transition(), the way the
 * durable case service does, minus the database.
 */
export class CaseRunner {
  readonly machine: EscalationMachine;
  private snapshot: Snapshot;
  readonly caseId: string;

  constructor(workflow: Workflow, calendar: SchoolCalendar, input: CaseInput) {
    this.machine = workflow.createMachine(calendar);
    [this.snapshot] = initialTransition(this.machine, input);
    this.caseId = input.caseId;
  }

  get state(): string {
    return stateName(this.snapshot.value);
  }

  get value(): StateValue {
    return this.snapshot.value;
  }

  get context(): CaseContext {
    return this.snapshot.context;
  }

  matches(state: string): boolean {
    return this.state === state || this.state.startsWith(`${state}.`);
  }

  send(event: CaseEvent): TransitionRecord {
    const from = this.state;
    const [next, actions] = transition(this.machine, this.snapshot, event);
    if (next.status === 'error') throw new Error(`${this.caseId}: ${event.type} put the case in error`);
    const changed = next !== this.snapshot || actions.length > 0;
    this.snapshot = next;
    return { caseId: this.caseId, event, from, to: this.state, effects: effectsOf(actions), changed };
  }

  timer(name: string): Timer | undefined {
    return this.snapshot.context.timers[name];
  }

  /** Timers due on or before asOf, earliest first (then by name, so the order is stable). */
  dueTimers(asOf: IsoDate): { name: string; timer: Timer }[] {
    return Object.entries(this.snapshot.context.timers)
      .filter(([, timer]) => compareDates(timer.dueDate, asOf) <= 0)
      .sort(([a, x], [b, y]) => compareDates(x.dueDate, y.dueDate) || a.localeCompare(b))
      .map(([name, timer]) => ({ name, timer }));
  }
}
