import { randomUUID } from 'node:crypto';
import type { CaseEvent, Effect } from '../domain/case-types.ts';
import type { Clock } from '../clock.ts';
import type { NoteEvidence } from '../domain/casework-records.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { VersionConflict, type CaseRecord, type NewTask, type School, type Store } from '../store/types.ts';
import { schoolMachineFor, type SchoolMachine } from './case-machines.ts';
import { planEvents, planOpen } from './case-plan.ts';

export interface TransitionOutcome {
  case: CaseRecord;
  from: string;
  to: string;
  effects: Effect[];
}

const MAX_CONFLICT_RETRIES = 5;

/**
 * The only code that runs case machines. Every change follows one pattern: load the snapshot,
 * run the pure transition, write snapshot + timeline + outbox + timers in one versioned write,
 * and leave the effects to the outbox dispatcher.
 */
export function createCaseService(deps: { store: Store; clock: Clock; logger: Logger }) {
  const { store, clock } = deps;

  async function schoolOf(schoolId: string): Promise<{ school: School; schoolMachine: SchoolMachine }> {
    const school = await store.getSchool(schoolId);
    if (!school) throw new AppError(404, 'not_found', `no school '${schoolId}'`);
    return { school, schoolMachine: await schoolMachineFor(store, school) };
  }

  /** Opens a case for a pupil with its first event (OPEN, with the evidence that caused it). */
  async function open(schoolId: string, upn: string, event: CaseEvent, actor: string): Promise<TransitionOutcome> {
    const { schoolMachine } = await schoolOf(schoolId);
    const pupil = await store.getPupil(schoolId, upn);
    if (!pupil) throw new AppError(404, 'not_found', `no pupil '${upn}' at school '${schoolId}'`);
    const plan = planOpen(schoolMachine, pupil, await store.listContacts(schoolId, upn), event, actor, clock.now());
    if (!plan) throw new AppError(409, 'event_not_allowed', `${event.type} cannot open a case`);
    const { record, ...initial } = plan.write;
    return { case: await store.createCase(record, initial), from: plan.step.from, to: plan.step.to, effects: plan.step.effects };
  }

  /**
   * Sends an event to a case if the machine accepts it in the case's state as stored at the
   * write; otherwise answers which state refused it. With `expectedVersion` (a staff action from a
   * page that showed that version) a lost race is the caller's conflict; without it (evaluator,
   * timers) it reloads and decides again. `tasks` (a meeting's agreed actions) are written in the
   * same atomic write as the transition, or not at all.
   */
  async function sendIfAllowed(
    caseId: string,
    event: CaseEvent,
    options: { actor: string; expectedVersion?: number; tasks?: NewTask[]; answers?: string[] },
  ): Promise<TransitionOutcome | { refusedIn: string }> {
    for (let attempt = 0; ; attempt++) {
      const record = await store.getCase(caseId);
      if (!record) throw new AppError(404, 'not_found', `no case '${caseId}'`);
      if (options.expectedVersion !== undefined && record.version !== options.expectedVersion) {
        throw new AppError(409, 'version_conflict', `this case changed (it is now at version ${record.version}): reload it and try again`, {
          currentVersion: record.version,
        });
      }
      const { schoolMachine } = await schoolOf(record.schoolId);
      const plan = planEvents(schoolMachine, record, [event], options.actor, clock.now());
      const [step] = plan.steps;
      if (!plan.commit || !step) return { refusedIn: plan.refused[0]!.state };
      // The tasks the event answers (a meeting's) are closed as done by the caller, not as left behind by the move.
      if (options.answers?.length && plan.commit.closeTasks) plan.commit.closeTasks = { ...plan.commit.closeTasks, keepIds: options.answers };
      try {
        const written = options.tasks?.length ? (await store.writeCaseBatch({ commits: [plan.commit], tasks: options.tasks })).cases[0]! : await store.commitTransition(plan.commit);
        return { case: written, from: step.from, to: step.to, effects: step.effects };
      } catch (error) {
        if (!(error instanceof VersionConflict) || options.expectedVersion !== undefined || attempt >= MAX_CONFLICT_RETRIES) {
          if (error instanceof VersionConflict) throw new AppError(409, 'version_conflict', 'this case changed while the action was being saved: reload it and try again');
          throw error;
        }
        deps.logger.debug({ caseId, attempt }, 'version conflict: reloading');
      }
    }
  }

  /** Sends an event to a case; one the case cannot take now is refused with the reason. */
  async function send(caseId: string, event: CaseEvent, options: { actor: string; expectedVersion?: number; tasks?: NewTask[]; answers?: string[] }): Promise<TransitionOutcome> {
    const outcome = await sendIfAllowed(caseId, event, options);
    if ('refusedIn' in outcome) {
      const state = outcome.refusedIn;
      throw new AppError(409, 'event_not_allowed', `${event.type} is not allowed while the case is in ${state}`, { state });
    }
    return outcome;
  }

  /**
   * A note records something said or done: it changes neither state nor version, but is written
   * only against the version the writer saw, so it never answers a case that has moved on.
   */
  async function addNote(caseId: string, note: NoteEvidence, options: { actor: string; expectedVersion: number }): Promise<CaseRecord> {
    const record = await store.getCase(caseId);
    if (!record) throw new AppError(404, 'not_found', `no case '${caseId}'`);
    if (record.version !== options.expectedVersion) {
      throw new AppError(409, 'version_conflict', `this case changed (it is now at version ${record.version}): reload it and try again`, { currentVersion: record.version });
    }
    await store.appendTimeline(record.schoolId, record.id, [{ id: randomUUID(), at: clock.now(), actor: options.actor, type: 'note', from: record.state, to: record.state, evidence: { ...note } }]);
    return record;
  }

  return { open, send, sendIfAllowed, addNote };
}

export type CaseService = ReturnType<typeof createCaseService>;
