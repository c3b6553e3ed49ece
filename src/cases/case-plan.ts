import { randomUUID } from 'node:crypto';
import { initialTransition, transition } from 'xstate';
import type { CaseEvent, CaseInput, Effect, Timer } from '../domain/case-types.ts';
import { effectsOf, persist } from '../../machines/workflow.ts';
import { approvalGate } from '../approvals/gate.ts';
import { parentsOf, ratingOf } from '../domain/pupil-flags.ts';
import type { Policy } from '../domain/policy.ts';
import { stateName } from '../../machines/workflow.ts';
import type { CaseRecord, CaseStatus, CaseTimer, Contact, NewCase, NewCaseWrite, NewEffect, NewTimelineEntry, Pupil, TransitionCommit } from '../store/types.ts';
import { caseMachine, snapshotOf, type SchoolMachine } from './case-machines.ts';
import { startOfLondonDate } from '../domain/london-time.ts';
import { caseWideTaskKinds, placeName, placeOf } from '../domain/stage-groups.ts';

/**
 * What a case's events do, worked out in memory: the pure transitions and the rows that record
 * them. The case service writes one case's plan; an evaluation writes a school's plans in batches.
 */

/** Timers and tasks are applied in the case's own atomic write; only outward effects go to the outbox. */
const OUTBOX_KINDS = new Set<Effect['type']>(['sendLetter', 'notify', 'createTask']);

/** The case row's status follows the machine's top-level state. */
const statusOf = (state: string): CaseStatus => (state.split('.')[0] === 'closed' ? 'closed' : 'open');

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

/** Who did what and why: the event, its evidence, what it set off, and the version of the school's policy that decided it. */
function timelineEntry(actor: string, event: CaseEvent, from: string, to: string, effects: Effect[], at: Date, policyVersion: number): NewTimelineEntry {
  return { id: randomUUID(), at, actor, type: 'transition', from, to, evidence: { ...evidenceOf(event), effects, policyVersion } };
}

/** The snapshot as stored: the machine's, with the version of the school's policy the case runs on. */
function stored(schoolMachine: SchoolMachine, snapshot: Parameters<typeof persist>[1]) {
  return { ...persist(schoolMachine.workflow, snapshot), policyVersion: schoolMachine.policyVersion };
}

/** The outbox rows of a transition: letters and legal steps are written held, for a person to decide, with the event behind them. */
function outboxRows(caseId: string, version: number, firstIndex: number, effects: Effect[], policy: Policy, event: CaseEvent): NewEffect[] {
  const gate = approvalGate(policy, evidenceOf(event));
  // The id is stable across retries of the same commit: the version a write creates is unique.
  return effects
    .filter((effect) => OUTBOX_KINDS.has(effect.type))
    .map((effect, index) => {
      const approval = gate(effect);
      return { id: `${caseId}:v${version}:${firstIndex + index}`, kind: effect.type, payload: effect.params, ...(approval ? { approval } : {}) };
    });
}

export interface Transitioned {
  event: CaseEvent;
  from: string;
  to: string;
  effects: Effect[];
}

/** A new case for the pupil, opened by its first event; null when the event cannot open one. */
export function planOpen(
  schoolMachine: SchoolMachine,
  pupil: Pick<Pupil, 'schoolId' | 'upn' | 'vulnerability'>,
  contacts: Contact[],
  event: CaseEvent,
  actor: string,
  at: Date,
): { write: NewCaseWrite; case: CaseRecord; step: Transitioned } | null {
  const caseId = randomUUID();
  const input: CaseInput = { caseId, upn: pupil.upn, parents: parentsOf(contacts), vulnerability: ratingOf(pupil.vulnerability) ?? null };
  const [initial, initialActions] = initialTransition(schoolMachine.machine, input);
  const [next, actions] = transition(schoolMachine.machine, initial, event);
  if (next === initial) return null;
  const effects = [...effectsOf(initialActions), ...effectsOf(actions)];
  const from = stateName(initial.value);
  const to = stateName(next.value);
  const record: NewCase = {
    id: caseId,
    schoolId: pupil.schoolId,
    upn: pupil.upn,
    workflowId: schoolMachine.workflow.id,
    machineId: schoolMachine.workflow.id,
    machineVersion: schoolMachine.workflow.version,
    state: to,
    status: statusOf(to),
    snapshot: stored(schoolMachine, next),
    openedAt: at,
  };
  return {
    write: {
      record,
      timeline: [timelineEntry(actor, event, from, to, effects, at, schoolMachine.policyVersion)],
      effects: outboxRows(caseId, 1, 0, effects, schoolMachine.workflow.policy, event),
      timers: timerRows(next.context.timers),
    },
    case: { ...record, version: 1, updatedAt: at },
    step: { event, from, to, effects },
  };
}

/** The stage a state belongs to: its top-level part (`stage1b`, `considerations`, `penaltyNotice`). */
const stageOf = (state: string) => state.split('.')[0];

/**
 * What the commit cancels: everything unsent when the pupil left the roll; a letter still waiting
 * for approval once the case has moved to another stage, because what it says (an invitation to
 * that stage's meeting, its attendance figure) is no longer true. It is withdrawn, not sent late.
 */
type StageView = { value: Parameters<typeof stateName>[0]; context: { stage?: string | null } };
function cancellation(steps: Transitioned[], before: StageView, after: StageView): Pick<TransitionCommit, 'cancelUnsent'> {
  if (steps.some((step) => step.event.type === 'PUPIL_LEFT')) return { cancelUnsent: { reason: 'the pupil left the school roll' } };
  const from = stageOf(stateName(before.value));
  const to = stageOf(stateName(after.value));
  if (from === to && (before.context.stage ?? null) === (after.context.stage ?? null)) return {};
  return { cancelUnsent: { reason: 'withdrawn unsent: the case moved on to another stage before the letter was approved, so what it says is no longer true', heldLettersOnly: true } };
}

/**
 * What a move leaves behind: the tasks the workflow set for the stage the case has left (a home
 * visit, exploring reasons, inviting to a meeting) are closed, saying where the case went, and so
 * are its task-making effects not yet run; tasks about the case as a whole stay open. Closing the
 * case closes all it set, and the actions agreed at its meetings.
 */
function closing(policy: Policy, caseId: string, from: string, to: string): Pick<TransitionCommit, 'closeTasks'> {
  if (placeOf(from) === placeOf(to)) return {};
  const closed = statusOf(to) === 'closed';
  return {
    closeTasks: {
      // Effect tasks take their effect's id (`<case>:v<version>:<n>`); agreed actions `meeting-action:<case>:…`.
      idPrefixes: [`${caseId}:v`, ...(closed ? [`meeting-action:${caseId}:`] : [])],
      keepKinds: closed ? [] : caseWideTaskKinds(policy),
      note: closed ? 'closed: the case was closed' : `closed: the case moved to ${placeName(policy, to)}`,
      by: 'system:workflow',
    },
  };
}

/**
 * Events for an existing case, in order, as one commit (one new version). An event the case
 * cannot take in the state it has reached is refused with that state and the rest go on.
 */
export function planEvents(
  school: SchoolMachine,
  record: CaseRecord,
  events: CaseEvent[],
  actor: string,
  at: Date,
): { commit: TransitionCommit | null; case: CaseRecord; steps: Transitioned[]; refused: { event: CaseEvent; state: string }[] } {
  // A case runs on the version of the school's policy it started on, or was moved to.
  const schoolMachine = caseMachine(school, record);
  const version = record.version + 1;
  const before = snapshotOf(schoolMachine, record);
  let snapshot = before;
  const steps: Transitioned[] = [];
  const refused: { event: CaseEvent; state: string }[] = [];
  const timeline: NewTimelineEntry[] = [];
  const outbox: NewEffect[] = [];
  for (const event of events) {
    const [next, actions] = transition(schoolMachine.machine, snapshot, event);
    const from = stateName(snapshot.value);
    if (next === snapshot || next.status === 'error') {
      refused.push({ event, state: from });
      continue;
    }
    const effects = effectsOf(actions);
    const to = stateName(next.value);
    steps.push({ event, from, to, effects });
    timeline.push(timelineEntry(actor, event, from, to, effects, at, schoolMachine.policyVersion));
    outbox.push(...outboxRows(record.id, version, outbox.length, effects, schoolMachine.workflow.policy, event));
    snapshot = next;
  }
  if (steps.length === 0) return { commit: null, case: record, steps, refused };
  const state = stateName(snapshot.value);
  const commit: TransitionCommit = {
    caseId: record.id,
    expectedVersion: record.version,
    state,
    status: statusOf(state),
    snapshot: stored(schoolMachine, snapshot),
    machineVersion: schoolMachine.workflow.version,
    timeline,
    effects: outbox,
    // A pupil off roll gets no more letters, and nothing waits for a person's approval.
    ...cancellation(steps, before, snapshot),
    ...closing(schoolMachine.workflow.policy, record.id, stateName(before.value), state),
    timers: {
      set: timerRows(snapshot.context.timers),
      remove: Object.keys(before.context.timers).filter((name) => !(name in snapshot.context.timers)),
    },
    at,
  };
  const updated: CaseRecord = {
    ...record,
    state,
    status: commit.status,
    snapshot: commit.snapshot,
    machineVersion: schoolMachine.workflow.version,
    version,
    updatedAt: at,
  };
  return { commit, case: updated, steps, refused };
}
