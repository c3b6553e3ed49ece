import type { CaseEvent } from '../../machines/types.ts';
import { raiseOverdueApprovals } from '../approvals/approvals.ts';
import { contactTasks, dutyTask, unresolvedNCodeTask } from '../approvals/register-hygiene.ts';
import { evaluatePupil, isReviewDay, measure } from '../domain/evaluate.ts';
import { pupilFlags } from '../domain/pupil-flags.ts';
import type { IsoDate } from '../domain/types.ts';
import { AppError } from '../http/errors.ts';
import type { Logger } from '../logger.ts';
import type { CaseRecord, NewTask, Store } from '../store/types.ts';
import { machineFor, marksNeededFrom, snapshotOf } from './case-machines.ts';
import type { CaseService } from './case-service.ts';

export interface EvaluationSummary {
  schoolId: string;
  asOf: IsoDate;
  schoolDay: boolean;
  reviewDay: boolean;
  pupils: number;
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
  deps: { store: Store; cases: CaseService; logger: Logger },
  schoolId: string,
  asOf: IsoDate,
  actor = 'system:evaluator',
): Promise<EvaluationSummary> {
  const { store, cases, logger } = deps;
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
  const latestCase = new Map<string, CaseRecord>();
  for (const record of (await store.listCases({ schoolIds: [schoolId], limit: 1_000_000 })).cases) {
    const known = latestCase.get(record.upn);
    if (!known || known.openedAt < record.openedAt) latestCase.set(record.upn, record);
  }
  const from = marksNeededFrom(entry, asOf);
  // Tasks are stamped with the real time they were raised, as the outbox's are.
  const at = new Date();

  for await (const { upn, marks } of store.streamSchoolMarks(schoolId, { from, to: asOf })) {
    const pupil = pupils.get(upn)!;
    summary.pupils += 1;
    let record = latestCase.get(upn) ?? null;
    if (!pupil.onRoll) {
      if (record?.status === 'open') await deliver(record.id, { type: 'PUPIL_LEFT', at: asOf });
      continue;
    }
    const view = record ? snapshotOf(entry, record) : null;
    const caseView = view ? { value: view.value, context: view.context } : null;
    const measurements = measure({ policy, calendar, marks, asOf, case: caseView });
    const events = evaluatePupil({ policy, measurements, flags: pupilFlags(pupil.vulnerability, marks, asOf), case: caseView, reviewDay: summary.reviewDay });
    for (const event of events) {
      if (event.type === 'OPEN') {
        record = (await cases.open(schoolId, upn, event, actor)).case;
        summary.opened += 1;
        summary.events += 1;
      } else if (record && (await deliver(record.id, event))) {
        const duty = dutyTask(event, record, policy, calendar, at);
        if (duty) await raise(duty);
      }
    }
    const who = { schoolId, upn, name: `${pupil.forename} ${pupil.surname}` };
    const open = record?.status === 'open' ? record : null;
    const nCodes = unresolvedNCodeTask(who, marks, calendar, asOf, open, at);
    if (nCodes) await raise(nCodes);
    // Contacts are read only for pupils with a case: only they can be sent letters.
    if (open) for (const task of contactTasks(who, await store.listContacts(schoolId, upn), open, asOf, at)) await raise(task);
  }
  summary.overdueApprovals = await raiseOverdueApprovals(store, schoolId, asOf, at);
  await store.putSetting(marker, asOf);
  return summary;

  async function deliver(caseId: string, event: CaseEvent): Promise<boolean> {
    try {
      await cases.send(caseId, event, { actor });
      summary.events += 1;
      return true;
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'event_not_allowed') throw error;
      summary.refused += 1;
      logger.debug({ caseId, event: event.type, reason: error.message }, 'evaluation event refused');
      return false;
    }
  }

  async function raise(task: NewTask) {
    if (await store.createTask(task)) summary.hygieneTasks += 1;
  }
}
