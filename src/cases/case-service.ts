import { randomUUID } from 'node:crypto';
import { initialTransition, transition } from 'xstate';
import type { CaseEvent, CaseInput, Effect, Timer } from '../../machines/types.ts';
import { effectsOf, persist } from '../../machines/workflow.ts';
import { approvalGate } from '../approvals/gate.ts';
import { stateName } from '../simulator/case-runner.ts';
import type { Clock } from '../clock.ts';
import { parentsOf, ratingOf } from '../domain/pupil-flags.ts';
import type { Policy } from '../domain/policy.ts';
import { AppError } from '../http/errors.ts';
import type { Logger } from '../logger.ts';
import {
  VersionConflict,
  type CaseRecord,
  type CaseTimer,
  type NewEffect,
  type NewTimelineEntry,
  type School,
  type Store,
} from '../store/types.ts';
import { machineFor, snapshotOf, type SchoolMachine } from './case-machines.ts';
import { startOfLondonDate } from './london-time.ts';

export interface TransitionOutcome {
  case: CaseRecord;
  from: string;
  to: string;
  effects: Effect[];
}

/** Timers and tasks are applied in the case's own atomic write; only outward effects go to the outbox. */
const OUTBOX_KINDS = new Set<Effect['type']>(['sendLetter', 'notify', 'createTask']);
const MAX_CONFLICT_RETRIES = 5;

/** The case row's status follows the machine's top-level state. */
const statusOf = (state: string) => (state.split('.')[0] === 'closed' ? 'closed' : 'open');

function timerRows(timers: Record<string, Timer>): Omit<CaseTimer, 'caseId'>[] {
  return Object.entries(timers).map(([name, timer]) => ({
    name,
    timerId: timer.timerId,
    dueAt: startOfLondonDate(timer.dueDate),
    event: { type: timer.event, timerId: timer.timerId },
  }));
}

/** The event with its details and the evidence behind it (metrics, rule, sessions). */
function evidenceOf(event: CaseEvent) {
  const { type, ...detail } = event;
  const { evidence, ...fields } = detail as typeof detail & { evidence?: object };
  return { event: type, ...fields, ...evidence };
}

/** Who did what and why: the event, its evidence, and what it set off. */
function timelineEntry(actor: string, event: CaseEvent, from: string, to: string, effects: Effect[], at: Date): NewTimelineEntry {
  return { id: randomUUID(), at, actor, type: 'transition', from, to, evidence: { ...evidenceOf(event), effects } };
}

/** The outbox rows of a transition: letters and legal steps are written held, for a person to decide, with the event behind them. */
function outboxRows(caseId: string, version: number, effects: Effect[], policy: Policy, event: CaseEvent): NewEffect[] {
  const gate = approvalGate(policy, evidenceOf(event));
  // The id is stable across retries of the same commit: the version a transition creates is unique.
  return effects
    .filter((effect) => OUTBOX_KINDS.has(effect.type))
    .map((effect, index) => {
      const approval = gate(effect);
      return { id: `${caseId}:v${version}:${index}`, kind: effect.type, payload: effect.params, ...(approval ? { approval } : {}) };
    });
}

/**
 * The only code that runs case machines. Every change follows one pattern: load the snapshot,
 * run the pure transition, write snapshot + timeline + outbox + timers in one versioned write,
 * and leave the effects to the outbox dispatcher.
 */
export function createCaseService(deps: { store: Store; clock: Clock; logger: Logger }) {
  const { store, clock } = deps;

  async function schoolOf(schoolId: string): Promise<{ school: School; entry: SchoolMachine }> {
    const school = await store.getSchool(schoolId);
    if (!school) throw new AppError(404, 'not_found', `no school '${schoolId}'`);
    return { school, entry: machineFor(school) };
  }

  /** Opens a case for a pupil with its first event (OPEN, with the evidence that caused it). */
  async function open(schoolId: string, upn: string, event: CaseEvent, actor: string): Promise<TransitionOutcome> {
    const { entry } = await schoolOf(schoolId);
    const pupil = await store.getPupil(schoolId, upn);
    if (!pupil) throw new AppError(404, 'not_found', `no pupil '${upn}' at school '${schoolId}'`);
    const caseId = randomUUID();
    const input: CaseInput = {
      caseId,
      upn,
      parents: parentsOf(await store.listContacts(schoolId, upn)),
      vulnerability: ratingOf(pupil.vulnerability) ?? null,
    };
    const [initial, initialActions] = initialTransition(entry.machine, input);
    const [next, actions] = transition(entry.machine, initial, event);
    if (next === initial) throw new AppError(409, 'event_not_allowed', `${event.type} cannot open a case`);
    const effects = [...effectsOf(initialActions), ...effectsOf(actions)];
    const to = stateName(next.value);
    const at = clock.now();
    const created = await store.createCase(
      {
        id: caseId,
        schoolId,
        upn,
        workflowId: entry.workflow.id,
        machineId: entry.workflow.id,
        machineVersion: entry.workflow.version,
        state: to,
        status: statusOf(to),
        snapshot: persist(entry.workflow, next),
        openedAt: at,
      },
      {
        timeline: [timelineEntry(actor, event, stateName(initial.value), to, effects, at)],
        effects: outboxRows(caseId, 1, effects, entry.workflow.policy, event),
        timers: timerRows(next.context.timers),
      },
    );
    return { case: created, from: stateName(initial.value), to, effects };
  }

  /**
   * Sends an event to a case. With `expectedVersion` (a staff action from a page that showed that
   * version) a lost race is the caller's conflict; without it (evaluator, timers) it reloads and
   * tries again, and an event no longer valid in the new state is refused with the reason.
   */
  async function send(caseId: string, event: CaseEvent, options: { actor: string; expectedVersion?: number }): Promise<TransitionOutcome> {
    for (let attempt = 0; ; attempt++) {
      const record = await store.getCase(caseId);
      if (!record) throw new AppError(404, 'not_found', `no case '${caseId}'`);
      if (options.expectedVersion !== undefined && record.version !== options.expectedVersion) {
        throw new AppError(409, 'version_conflict', `this case changed (it is now at version ${record.version}): reload it and try again`, {
          currentVersion: record.version,
        });
      }
      const { entry } = await schoolOf(record.schoolId);
      const snapshot = snapshotOf(entry, record);
      const [next, actions] = transition(entry.machine, snapshot, event);
      const from = stateName(snapshot.value);
      if (next === snapshot || next.status === 'error') {
        throw new AppError(409, 'event_not_allowed', `${event.type} is not allowed while the case is in ${from}`, { state: from });
      }
      const effects = effectsOf(actions);
      const to = stateName(next.value);
      const at = clock.now();
      try {
        const committed = await store.commitTransition({
          caseId,
          expectedVersion: record.version,
          state: to,
          status: statusOf(to),
          snapshot: persist(entry.workflow, next),
          machineVersion: entry.workflow.version,
          timeline: [timelineEntry(options.actor, event, from, to, effects, at)],
          effects: outboxRows(caseId, record.version + 1, effects, entry.workflow.policy, event),
          // A pupil off roll gets no more letters, and nothing waits for a person's approval.
          ...(event.type === 'PUPIL_LEFT' ? { cancelUnsent: { reason: 'the pupil left the school roll' } } : {}),
          timers: { set: timerRows(next.context.timers), remove: Object.keys(snapshot.context.timers).filter((name) => !(name in next.context.timers)) },
          at,
        });
        return { case: committed, from, to, effects };
      } catch (error) {
        if (!(error instanceof VersionConflict) || options.expectedVersion !== undefined || attempt >= MAX_CONFLICT_RETRIES) {
          if (error instanceof VersionConflict) throw new AppError(409, 'version_conflict', 'this case changed while the action was being saved: reload it and try again');
          throw error;
        }
        deps.logger.debug({ caseId, attempt }, 'version conflict: reloading');
      }
    }
  }

  return { open, send };
}

export type CaseService = ReturnType<typeof createCaseService>;
