import { raiseOverdueApprovals } from '../approvals/approvals.ts';
import { isBandReviewDay, isReviewDay } from '../domain/evaluate.ts';
import type { IsoDate } from '../domain/types.ts';
import { AppError } from '../errors.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import { CaseAlreadyOpen, VersionConflict, type CaseBatch, type Contact, type NewTask, type SchoolMarksFilter, type Store } from '../store/types.ts';
import { marksNeededFrom, schoolMachineFor } from './case-machines.ts';
import { dutyLookback, mayOweDuty } from './daily-duties.ts';
import { isRegisterChore, writeRegisterChores } from './register-duties.ts';
import { latestByPupil, pupilDecider, type DecisionDay, type PupilDecision, type PupilMarks, type Roll } from './pupil-decision.ts';

/** Pupils decided, and written, together: the page the register is read in. */
const PAGE = 500;
const MAX_CONFLICT_RETRIES = 5;

export interface EvaluationSummary {
  schoolId: string;
  asOf: IsoDate;
  schoolDay: boolean;
  reviewDay: boolean;
  pupils: number;
  /** Pupils whose attendance was measured: all on a review day, else open cases and pupils who may owe a daily duty. */
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
  const { store } = deps;
  const school = await store.getSchool(schoolId);
  if (!school) throw new AppError(404, 'not_found', `no school '${schoolId}'`);
  const machine = await schoolMachineFor(store, school);
  const summary = emptySummary(schoolId, asOf, machine.calendar.isSchoolDay(asOf));
  if (!summary.schoolDay) return summary;
  const marker = `evaluated:${schoolId}`;
  if (((await store.getSetting(marker)) as IsoDate | null) === asOf) return { ...summary, alreadyEvaluated: true };
  summary.reviewDay = isReviewDay(machine.workflow.policy, machine.calendar, asOf);

  const roll = await readRoll(store, schoolId);
  const day = { machine, asOf, reviewDay: summary.reviewDay, actor, now: deps.clock.now(), at: deps.clock.now() };
  const chores: NewTask[] = [];
  await decideTheRegister({ ...deps, summary, chores }, roll, day);
  if (await writeRegisterChores(store, schoolId, asOf, chores, day.at)) summary.hygieneTasks += 1;
  summary.overdueApprovals = await raiseOverdueApprovals(store, schoolId, asOf, day.at, machine);
  await store.putSetting(marker, asOf);
  return summary;
}

function emptySummary(schoolId: string, asOf: IsoDate, schoolDay: boolean): EvaluationSummary {
  return { schoolId, asOf, schoolDay, reviewDay: false, pupils: 0, measured: 0, opened: 0, events: 0, refused: 0, alreadyEvaluated: false, overdueApprovals: 0, hygieneTasks: 0 };
}

/** The roll, read once: pupils, their contacts, and each pupil's latest case. */
async function readRoll(store: Store, schoolId: string): Promise<Roll> {
  const pupils = new Map((await store.listPupils(schoolId)).map((pupil) => [pupil.upn, pupil]));
  const contacts = new Map<string, Contact[]>();
  for (const contact of await store.listContacts(schoolId)) contacts.set(contact.upn, [...(contacts.get(contact.upn) ?? []), contact]);
  const latestCase = latestByPupil((await store.listCases({ schoolIds: [schoolId], limit: 1_000_000 })).cases);
  return { schoolId, pupils, contacts, latestCase };
}

type PageDeps = { store: Store; logger: Logger; summary: EvaluationSummary; chores: NewTask[] };

/**
 * On a review day, and on the week's RAG review of a policy with band actions, every pupil is
 * measured. Without one, open cases are measured, and so is every pupil absent today or with a
 * G, O or U in the last two school weeks, for the duties owed whether
 * or not there is a case (the national threshold, first-day contact, face-to-face contact, child
 * missing education); the others can be given nothing but a task for an unresolved N, so only
 * their N marks are read.
 */
async function decideTheRegister(deps: PageDeps, roll: Roll, day: DecisionDay) {
  const { store } = deps;
  const { decide, decideNCodes } = pupilDecider(roll, day);
  const range = { from: marksNeededFrom(day.machine, day.asOf), to: day.asOf };
  const read = (filter: SchoolMarksFilter) => (upns?: string[]) => store.streamSchoolMarks(roll.schoolId, upns ? { ...filter, upns } : filter);
  // The week's RAG review (seed 001) reads every pupil's band, as a letter review does.
  if (day.reviewDay || isBandReviewDay(day.machine.workflow.policy, day.machine.calendar, day.asOf)) {
    await evaluateAll(deps, roll, read(range), decide);
    return;
  }
  const open = [...roll.latestCase.values()].filter((record) => record.status === 'open').map((record) => record.upn);
  const measured = new Set(open);
  for await (const { upn, marks } of store.streamSchoolMarks(roll.schoolId, dutyLookback(day.machine.calendar, day.asOf)))
    if (mayOweDuty(marks, day.asOf)) measured.add(upn);
  await evaluateAll(deps, roll, read({ ...range, upns: [...measured] }), decide);
  await evaluateAll(deps, roll, read({ ...range, codes: ['N'] }), (item) => (measured.has(item.upn) ? null : decideNCodes(item)));
}

type Decide = (item: PupilMarks) => PupilDecision | null;
/** The register as the evaluation reads it: every pupil the filter names, or only these pupils again. */
type Read = (upns?: string[]) => AsyncIterable<PupilMarks>;

/**
 * Each pupil is decided as their marks arrive, and only the decision is kept for the page: a
 * pupil's ~380 marks are garbage as soon as they are decided (collecting them young is cheap;
 * keeping a page of 500 pupils' marks alive made the collector copy them). While one page is
 * written the next is read and decided: the database and Node work side by side. Pages are
 * separate pupils, so their writes are independent.
 */
async function evaluateAll(deps: PageDeps, roll: Roll, read: Read, decideOne: Decide) {
  const writing: Promise<void>[] = [];
  const start = (page: DecidedPage) => {
    const done = evaluatePage(deps, roll, page, read, decideOne);
    // Awaited below; this only keeps a failure from being reported as unhandled meanwhile.
    done.catch(() => {});
    writing.push(done);
  };
  let page: DecidedPage = { upns: [], decided: [] };
  for await (const item of read()) {
    page.upns.push(item.upn);
    const decision = decideOne(item);
    if (decision) page.decided.push(decision);
    if (page.upns.length === PAGE) {
      if (writing.length > 1) await writing.shift();
      start(page);
      page = { upns: [], decided: [] };
    }
  }
  start(page);
  for (const done of writing) await done;
}

interface DecidedPage {
  upns: string[];
  decided: PupilDecision[];
}

/**
 * Writes every case and task a page of pupils decided in one batch. A case another writer
 * changed meanwhile (a staff action, a second worker) fails the batch as a whole; the page's
 * cases and marks are then read again and the page decided afresh.
 */
async function evaluatePage({ store, logger, summary, chores }: PageDeps, roll: Roll, page: DecidedPage, read: Read, decideOne: Decide) {
  let decided = page.decided;
  for (let attempt = 0; ; attempt++) {
    const batch: Required<CaseBatch> = {
      created: decided.flatMap((d) => d.created ?? []),
      commits: decided.flatMap((d) => d.commit ?? []),
      // Register chores are gathered for the whole school and written as one task at the end.
      tasks: decided.flatMap((d) => d.tasks).filter((task) => !isRegisterChore(task)),
    };
    try {
      const { tasksCreated } = await store.writeCaseBatch(batch);
      for (const d of decided) {
        summary.pupils += 1;
        if (d.measured) summary.measured += 1;
        summary.opened += d.opened;
        summary.events += d.events;
        summary.refused += d.refused.length;
        for (const refusal of d.refused) logger.debug({ schoolId: roll.schoolId, event: refusal.event.type, state: refusal.state }, 'evaluation event refused');
      }
      summary.hygieneTasks += tasksCreated;
      chores.push(...decided.flatMap((d) => d.tasks).filter(isRegisterChore));
      return;
    } catch (error) {
      // A store that gave up on transient conflicts or a failover (503) is worth another go too.
      const unavailable = error instanceof AppError && error.code === 'database_unavailable';
      if (!(error instanceof VersionConflict || error instanceof CaseAlreadyOpen || unavailable) || attempt >= MAX_CONFLICT_RETRIES) throw error;
      if (unavailable) await new Promise((resolve) => setTimeout(resolve, 1000 * (attempt + 1)));
      logger.debug({ schoolId: roll.schoolId, attempt, reason: error.message }, 'evaluation page changed meanwhile: deciding it again');
      for (const [upn, record] of latestByPupil((await store.listCases({ schoolIds: [roll.schoolId], upns: page.upns, limit: 1_000_000 })).cases)) roll.latestCase.set(upn, record);
      decided = [];
      for await (const item of read(page.upns)) {
        const decision = decideOne(item);
        if (decision) decided.push(decision);
      }
    }
  }
}
