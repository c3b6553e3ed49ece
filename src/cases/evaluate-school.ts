import type { CaseEvent } from '../domain/case-types.ts';
import { raiseOverdueApprovals } from '../approvals/approvals.ts';
import { contactTasks, dutyTask, unresolvedNCodeTask } from '../approvals/register-hygiene.ts';
import { evaluatePupil, isReviewDay, measure } from '../domain/evaluate.ts';
import { pupilFlags } from '../domain/pupil-flags.ts';
import type { IsoDate } from '../domain/types.ts';
import { AppError } from '../errors.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import { CaseAlreadyOpen, VersionConflict, type CaseBatch, type CaseRecord, type Contact, type NewCaseWrite, type NewTask, type Pupil, type StoredMark, type Store, type TransitionCommit } from '../store/types.ts';
import { machineFor, marksNeededFrom, snapshotOf } from './case-machines.ts';
import { planEvents, planOpen } from './case-plan.ts';

/** Pupils decided, and written, together: the page the register is read in. */
const PAGE = 500;
const MAX_CONFLICT_RETRIES = 5;

interface PupilMarks {
  upn: string;
  marks: StoredMark[];
}

interface Decision {
  upn: string;
  measured: boolean;
  created?: NewCaseWrite;
  commit?: TransitionCommit;
  opened: number;
  events: number;
  refused: { event: CaseEvent; state: string }[];
  tasks: NewTask[];
}

export interface EvaluationSummary {
  schoolId: string;
  asOf: IsoDate;
  schoolDay: boolean;
  reviewDay: boolean;
  pupils: number;
  /** Pupils whose attendance was measured: all on a review day, else those with an open case. */
  measured: number;
  opened: number;
  events: number;
  /** Events the case refused because it had moved on (another worker, a staff action): not faults. */
  refused: number;
  /** The school was already evaluated for this date: its daily events (absence today, milestones) are sent once. */
  alreadyEvaluated: boolean;
  /** Letters and legal steps waiting for approval past their due date, newly raised as tasks. */
  overdueApprovals: number;
  /** Register hygiene and statutory duties (N codes, contact details, illness return, CME) newly raised as tasks. */
  hygieneTasks: number;
}

/**
 * Evaluates every pupil of a school as of a date under its workflow, opening cases that cross
 * into concern and sending the review, threshold and duty events the policy's rules produce.
 */
export async function evaluateSchool(
  deps: { store: Store; clock: Clock; logger: Logger },
  schoolId: string,
  asOf: IsoDate,
  actor = 'system:evaluator',
): Promise<EvaluationSummary> {
  const { store, clock, logger } = deps;
  const school = await store.getSchool(schoolId);
  if (!school) throw new AppError(404, 'not_found', `no school '${schoolId}'`);
  const entry = machineFor(school);
  const { policy } = entry.workflow;
  const calendar = entry.calendar;
  const summary: EvaluationSummary = {
    schoolId,
    asOf,
    schoolDay: calendar.isSchoolDay(asOf),
    reviewDay: false,
    pupils: 0,
    measured: 0,
    opened: 0,
    events: 0,
    refused: 0,
    alreadyEvaluated: false,
    overdueApprovals: 0,
    hygieneTasks: 0,
  };
  if (!summary.schoolDay) return summary;
  const marker = `evaluated:${schoolId}`;
  if (((await store.getSetting(marker)) as IsoDate | null) === asOf) return { ...summary, alreadyEvaluated: true };
  summary.reviewDay = isReviewDay(policy, calendar, asOf);

  const pupils = new Map((await store.listPupils(schoolId)).map((pupil) => [pupil.upn, pupil]));
  const contacts = new Map<string, Contact[]>();
  for (const contact of await store.listContacts(schoolId)) contacts.set(contact.upn, [...(contacts.get(contact.upn) ?? []), contact]);
  const latestCase = latestByPupil((await store.listCases({ schoolIds: [schoolId], limit: 1_000_000 })).cases);
  const from = marksNeededFrom(entry, asOf);
  // Cases are stamped with the service's clock (a demo's may be ahead); tasks with the real time
  // they were raised, as the outbox's are.
  const now = clock.now();
  const at = new Date();

  if (summary.reviewDay) await evaluateAll(store.streamSchoolMarks(schoolId, { from, to: asOf }), decide);
  else {
    // Without a review, a pupil with no open case can be given nothing but a task for an
    // unresolved N: only open cases have their register read; the others, only their N marks.
    const open = [...latestCase.values()].filter((record) => record.status === 'open').map((record) => record.upn);
    await evaluateAll(store.streamSchoolMarks(schoolId, { from, to: asOf, upns: open }), decide);
    const measured = new Set(open);
    await evaluateAll(store.streamSchoolMarks(schoolId, { from, to: asOf, codes: ['N'] }), (item) => (measured.has(item.upn) ? null : decideNCodes(item)));
  }
  summary.overdueApprovals = await raiseOverdueApprovals(store, schoolId, asOf, at);
  await store.putSetting(marker, asOf);
  return summary;

  /**
   * While one page is written the next is read and decided: the database and Node work side by
   * side. Pages are separate pupils, so their writes are independent.
   */
  async function evaluateAll(source: AsyncIterable<PupilMarks>, decideOne: (item: PupilMarks) => Decision | null) {
    const writing: Promise<void>[] = [];
    const start = (items: PupilMarks[]) => {
      const done = evaluatePage(items, decideOne);
      // Awaited below; this only keeps a failure from being reported as unhandled meanwhile.
      done.catch(() => {});
      writing.push(done);
    };
    let page: PupilMarks[] = [];
    for await (const item of source) {
      page.push(item);
      if (page.length === PAGE) {
        if (writing.length > 1) await writing.shift();
        start(page);
        page = [];
      }
    }
    start(page);
    for (const done of writing) await done;
  }

  /**
   * Decides for a page of pupils in memory and writes every case and task that decided in one
   * batch. A case another writer changed meanwhile (a staff action, a second worker) fails the
   * batch as a whole; the page's cases are then read again and the page decided afresh.
   */
  async function evaluatePage(items: PupilMarks[], decideOne: (item: PupilMarks) => Decision | null) {
    for (let attempt = 0; ; attempt++) {
      const decided = items.flatMap((item) => decideOne(item) ?? []);
      const batch: Required<CaseBatch> = {
        created: decided.flatMap((d) => d.created ?? []),
        commits: decided.flatMap((d) => d.commit ?? []),
        tasks: decided.flatMap((d) => d.tasks),
      };
      try {
        const { tasksCreated } = await store.writeCaseBatch(batch);
        for (const d of decided) {
          summary.pupils += 1;
          if (d.measured) summary.measured += 1;
          summary.opened += d.opened;
          summary.events += d.events;
          summary.refused += d.refused.length;
          for (const refusal of d.refused) logger.debug({ upn: d.upn, event: refusal.event.type, state: refusal.state }, 'evaluation event refused');
        }
        summary.hygieneTasks += tasksCreated;
        return;
      } catch (error) {
        if (!(error instanceof VersionConflict || error instanceof CaseAlreadyOpen) || attempt >= MAX_CONFLICT_RETRIES) throw error;
        logger.debug({ schoolId, attempt, reason: error.message }, 'evaluation page changed meanwhile: deciding it again');
        const upns = items.map((item) => item.upn);
        for (const [upn, record] of latestByPupil((await store.listCases({ schoolIds: [schoolId], upns, limit: 1_000_000 })).cases)) latestCase.set(upn, record);
      }
    }
  }

  /** One pupil: the case opened or the events its case takes, and the tasks they raise. */
  function decide({ upn, marks }: PupilMarks) {
    const pupil = pupils.get(upn)!;
    const record = latestCase.get(upn) ?? null;
    const decision: Decision = { upn, measured: false, opened: 0, events: 0, refused: [], tasks: [] };
    if (!pupil.onRoll) {
      if (record?.status === 'open') Object.assign(decision, send(record, [{ type: 'PUPIL_LEFT', at: asOf }]));
      return decision;
    }
    decision.measured = true;
    const view = record ? snapshotOf(entry, record) : null;
    const caseView = view ? { value: view.value, context: view.context } : null;
    const measurements = measure({ policy, calendar, marks, asOf, case: caseView });
    const events = evaluatePupil({ policy, measurements, flags: pupilFlags(pupil.vulnerability, marks, asOf), case: caseView, reviewDay: summary.reviewDay });
    let current = record;
    const opening = events.find((event) => event.type === 'OPEN');
    if (opening) {
      const plan = planOpen(entry, pupil, contacts.get(upn) ?? [], opening, actor, now);
      if (plan) {
        decision.created = plan.write;
        decision.opened = 1;
        decision.events = 1;
        current = plan.case;
      } else decision.refused.push({ event: opening, state: 'new' });
    }
    const others = events.filter((event) => event.type !== 'OPEN');
    if (current && others.length > 0 && !opening) {
      const sent = send(current, others);
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
    if (open) decision.tasks.push(...contactTasks(who(pupil), contacts.get(upn) ?? [], open, asOf, at));
    return decision;
  }

  /** A pupil with no open case on a day without a review: only their N marks are read. */
  function decideNCodes({ upn, marks }: PupilMarks): Decision {
    const pupil = pupils.get(upn)!;
    const nCodes = pupil.onRoll ? unresolvedNCodeTask(who(pupil), marks, calendar, asOf, null, at) : null;
    return { upn, measured: false, opened: 0, events: 0, refused: [], tasks: nCodes ? [nCodes] : [] };
  }

  function who(pupil: Pupil) {
    return { schoolId, upn: pupil.upn, name: `${pupil.forename} ${pupil.surname}` };
  }

  function send(record: CaseRecord, events: CaseEvent[]) {
    const plan = planEvents(entry, record, events, actor, now);
    return { ...plan, commit: plan.commit ?? undefined, events: plan.steps.length };
  }
}

/** Of each pupil's cases, the one opened last. */
function latestByPupil(records: CaseRecord[]): Map<string, CaseRecord> {
  const latest = new Map<string, CaseRecord>();
  for (const record of records) {
    const known = latest.get(record.upn);
    if (!known || known.openedAt < record.openedAt) latest.set(record.upn, record);
  }
  return latest;
}
