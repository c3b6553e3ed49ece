import { measure, timerEvent } from '../domain/evaluate.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/types.ts';
import { caseMachine, marksNeededFrom, schoolMachineFor, snapshotOf } from './case-machines.ts';
import type { CaseService } from './case-service.ts';
import { londonDate } from '../domain/london-time.ts';

export interface TimerSweep {
  fired: number;
  /** Firings the case no longer wanted: already fired elsewhere, or replaced by a newer timer. */
  stale: number;
}

/**
 * Fires every case timer due by `now`, soonest first. The timer rows are the source of truth
 * (written with the snapshot that started them); a timer whose id the case no longer holds is
 * stale and ignored, so a repeat or a race between workers changes nothing.
 */
export async function fireDueTimers(deps: { store: Store; cases: CaseService; logger: Logger }, now: Date, batchSize = 200): Promise<TimerSweep> {
  const { store, cases, logger } = deps;
  const result: TimerSweep = { fired: 0, stale: 0 };
  const today = londonDate(now);
  const seen = new Set<string>();
  for (;;) {
    const due = (await store.listDueTimers(now, batchSize)).filter((timer) => !seen.has(timer.timerId));
    if (due.length === 0) return result;
    for (const row of due) {
      seen.add(row.timerId);
      const record = await store.getCase(row.caseId);
      if (!record) continue;
      const school = await store.getSchool(record.schoolId);
      const schoolMachine = await schoolMachineFor(store, school!);
      const snapshot = snapshotOf(schoolMachine, record);
      const timer = snapshot.context.timers[row.name];
      if (!timer || timer.timerId !== row.timerId) {
        result.stale += 1;
        continue;
      }
      const calendar = schoolMachine.calendar;
      const asOf = calendar.isSchoolDay(today) ? today : calendar.previousSchoolDay(today);
      const marks = await store.listMarks(record.schoolId, record.upn, { from: marksNeededFrom(schoolMachine, asOf), to: asOf });
      const measurements = measure({ policy: caseMachine(schoolMachine, record).workflow.policy, calendar, marks, asOf, case: { value: snapshot.value, context: snapshot.context } });
      const outcome = await cases.sendIfAllowed(record.id, { ...timerEvent(timer, measurements), at: today }, { actor: 'system:timer' });
      if ('refusedIn' in outcome) {
        result.stale += 1;
        // Another worker fired it between our read and our write: the expected race, not a fault.
        logger.info({ caseId: record.id, timer: row.name, state: outcome.refusedIn }, 'timer event refused');
      } else {
        result.fired += 1;
      }
    }
  }
}
