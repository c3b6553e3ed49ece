import type { Clock } from '../clock.ts';
import { addDays, compareDates } from '../domain/dates.ts';
import type { IsoDate } from '../domain/types.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/types.ts';
import type { CaseService } from './case-service.ts';
import { evaluateSchool } from './evaluate-school.ts';
import { fireDueTimers } from './fire-timers.ts';
import { londonDate, startOfLondonDate } from '../domain/london-time.ts';

const SETTING = 'clock';

interface ClockSetting {
  offsetMs: number;
}

/**
 * The demo's clock: real time shifted by an offset kept in the database, so the web process, the
 * worker and the CLI all read the same "now" and moving it in one moves it in all.
 */
export class SharedClock implements Clock {
  #offsetMs = 0;

  constructor(private readonly store: Store) {}

  now(): Date {
    return new Date(Date.now() + this.#offsetMs);
  }

  /** Re-reads the offset another process may have moved. */
  async refresh(): Promise<void> {
    const setting = (await this.store.getSetting(SETTING)) as ClockSetting | null;
    this.#offsetMs = setting?.offsetMs ?? 0;
  }

  async set(to: Date): Promise<void> {
    this.#offsetMs = to.getTime() - Date.now();
    await this.store.putSetting(SETTING, { offsetMs: this.#offsetMs } satisfies ClockSetting);
  }
}

/** Whether the store's clock has been moved from real time (the demo clock is in use). */
export async function isShiftedClock(store: Store): Promise<boolean> {
  return (await store.getSetting(SETTING)) !== null;
}

export interface ClockAdvance {
  from: Date;
  to: Date;
  timersFired: number;
  evaluations: number;
}

/** Each day's register, for a demo whose register grows as its clock moves. */
export type RegisterFiller = (date: IsoDate) => Promise<void>;

/**
 * Lives through `ms` of time day by day, in order: each morning the timers due fire, each school
 * day's evening every school is evaluated as its nightly job would, so a demo or test walks a
 * whole escalation in seconds with the real services doing the work.
 */
export async function advanceClock(
  deps: { store: Store; cases: CaseService; logger: Logger; clock: SharedClock; fillRegister?: RegisterFiller },
  ms: number,
): Promise<ClockAdvance> {
  const { store, clock } = deps;
  const from = clock.now();
  const to = new Date(from.getTime() + ms);
  const result: ClockAdvance = { from, to, timersFired: 0, evaluations: 0 };
  // An archived school's cases stop moving: it is not evaluated.
  const schools = (await store.listSchools()).filter((school) => !school.archivedAt);
  const at = (date: IsoDate, hour: number) => new Date(startOfLondonDate(date).getTime() + hour * 3_600_000);
  for (let date = londonDate(from); compareDates(date, londonDate(to)) <= 0; date = addDays(date, 1)) {
    const morning = at(date, 7);
    if (morning > from) {
      if (morning > to) break;
      await clock.set(morning);
      result.timersFired += (await fireDueTimers(deps, morning)).fired;
    }
    const evening = at(date, 18);
    if (evening <= from) continue;
    if (evening > to) break;
    await deps.fillRegister?.(date);
    await clock.set(evening);
    for (const school of schools) {
      const summary = await evaluateSchool(deps, school.id, date);
      if (summary.schoolDay) result.evaluations += 1;
    }
  }
  await clock.set(to);
  result.timersFired += (await fireDueTimers(deps, to)).fired;
  return result;
}
