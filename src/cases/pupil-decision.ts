import type { CaseEvent } from '../domain/case-types.ts';
import { evaluatePupil, isBandReviewDay, measure } from '../domain/evaluate.ts';
import { pupilFlags } from '../domain/pupil-flags.ts';
import type { IsoDate } from '../domain/types.ts';
import type { CaseRecord, Contact, NewCaseWrite, NewTask, Pupil, StoredMark, TransitionCommit } from '../store/types.ts';
import { caseMachine, snapshotOf, type SchoolMachine } from './case-machines.ts';
import { planEvents, planOpen } from './case-plan.ts';
import { bandDutyTasks, dailyDutyTasks } from './daily-duties.ts';
import { contactTasks, dutyTask, unresolvedNCodeTask } from './register-duties.ts';

export interface PupilMarks {
  upn: string;
  marks: StoredMark[];
}

/** What the evaluation decided for one pupil: the case to open or the commit to its case, and tasks. */
export interface PupilDecision {
  upn: string;
  measured: boolean;
  created?: NewCaseWrite;
  commit?: TransitionCommit;
  opened: number;
  events: number;
  refused: { event: CaseEvent; state: string }[];
  tasks: NewTask[];
}

/** The school's roll as the evaluation reads it once: pupils, their contacts, each pupil's latest case. */
export interface Roll {
  schoolId: string;
  pupils: Map<string, Pupil>;
  contacts: Map<string, Contact[]>;
  latestCase: Map<string, CaseRecord>;
}

export interface DecisionDay {
  machine: SchoolMachine;
  asOf: IsoDate;
  reviewDay: boolean;
  actor: string;
  /** The service's clock (a demo's may be ahead): cases are stamped with it. */
  now: Date;
  /** The real time: tasks are stamped with it, as the outbox's are. */
  at: Date;
}

/**
 * Decides, in memory, what a day's register means for each pupil of the roll, with the same pure
 * transitions the case service runs. Nothing is written here.
 */
export function pupilDecider(roll: Roll, day: DecisionDay) {
  const { machine, asOf, actor, now, at } = day;
  const { calendar } = machine;
  // The band review day is the school's (its latest policy): a case on an older version still gets its band actions.
  const bandReviewDay = isBandReviewDay(machine.workflow.policy, calendar, asOf);
  const who = (pupil: Pupil) => ({ schoolId: roll.schoolId, upn: pupil.upn, name: `${pupil.forename} ${pupil.surname}` });
  const send = (record: CaseRecord, events: CaseEvent[]) => {
    const plan = planEvents(machine, record, events, actor, now);
    return { ...plan, commit: plan.commit ?? undefined, events: plan.steps.length };
  };

  /** One pupil: the case opened or the events its case takes, and the tasks they raise. */
  function decide({ upn, marks }: PupilMarks): PupilDecision {
    const pupil = roll.pupils.get(upn)!;
    const record = roll.latestCase.get(upn) ?? null;
    const decision: PupilDecision = { upn, measured: false, opened: 0, events: 0, refused: [], tasks: [] };
    if (!pupil.onRoll) {
      if (record?.status === 'open') Object.assign(decision, send(record, [{ type: 'PUPIL_LEFT', at: asOf }]));
      return decision;
    }
    decision.measured = true;
    // A pupil with a case is measured by the policy version the case runs on; one without, by the latest.
    const { policy } = (record ? caseMachine(machine, record) : machine).workflow;
    const view = record ? snapshotOf(machine, record) : null;
    const caseView = view ? { value: view.value, context: view.context } : null;
    const measurements = measure({ policy, calendar, marks, asOf, case: caseView });
    const flags = pupilFlags(pupil.vulnerability, marks, asOf);
    const events = evaluatePupil({ policy, measurements, flags, case: caseView, reviewDay: day.reviewDay, bandReviewDay });
    let current = record;
    // A pupil who never had a case is opened by the first event (OPEN, or the national threshold).
    const opening = record === null ? events[0] : undefined;
    if (opening) {
      const plan = planOpen(machine, pupil, roll.contacts.get(upn) ?? [], opening, actor, now);
      if (plan) {
        decision.created = plan.write;
        decision.opened = 1;
        decision.events = 1;
        current = plan.case;
      } else decision.refused.push({ event: opening, state: 'new' });
    }
    if (current && events.length > 0 && !opening) {
      const sent = send(current, events);
      Object.assign(decision, { commit: sent.commit, events: sent.events, refused: sent.refused });
      current = sent.case;
      for (const step of sent.steps) {
        const duty = dutyTask(step.event, current, policy, calendar, at);
        if (duty) decision.tasks.push(duty);
      }
    }
    const open = current?.status === 'open' ? current : null;
    const nCodes = unresolvedNCodeTask(who(pupil), marks, calendar, asOf, open, at);
    if (nCodes) decision.tasks.push(nCodes);
    if (open) decision.tasks.push(...contactTasks(who(pupil), roll.contacts.get(upn) ?? [], open, asOf, at));
    const dutyCase = { openCase: open, openBeforeToday: record?.status === 'open' };
    decision.tasks.push(...dailyDutyTasks({ policy, calendar, asOf, at }, who(pupil), measurements, flags, dutyCase));
    decision.tasks.push(...bandDutyTasks({ policy, calendar, asOf, at, bandReviewDay }, who(pupil), measurements, dutyCase));
    return decision;
  }

  /** A pupil with no open case on a day without a review: only their N marks are read. */
  function decideNCodes({ upn, marks }: PupilMarks): PupilDecision {
    const pupil = roll.pupils.get(upn)!;
    const nCodes = pupil.onRoll ? unresolvedNCodeTask(who(pupil), marks, calendar, asOf, null, at) : null;
    return { upn, measured: false, opened: 0, events: 0, refused: [], tasks: nCodes ? [nCodes] : [] };
  }

  return { decide, decideNCodes };
}

/** Of each pupil's cases, the one opened last. */
export function latestByPupil(records: CaseRecord[]): Map<string, CaseRecord> {
  const latest = new Map<string, CaseRecord>();
  for (const record of records) {
    const known = latest.get(record.upn);
    if (!known || known.openedAt < record.openedAt) latest.set(record.upn, record);
  }
  return latest;
}
