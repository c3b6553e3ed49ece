import type { CaseService } from '../../cases/case-service.ts';
import type { Clock } from '../../clock.ts';
import type { IsoDate } from '../../domain/types.ts';
import type { Logger } from '../../logger.ts';
import type { Store } from '../../store/types.ts';
import { londonDate } from '../../domain/london-time.ts';

/** Moves the demo's shared clock; null outside demo mode. */
export interface DemoClockControl {
  advance(ms: number): Promise<{ from: Date; to: Date; timersFired: number; evaluations: number }>;
}

export interface ApiDeps {
  store: Store;
  cases: CaseService;
  /** The service's clock: what "today" is for cases (the demo can move it). */
  clock: Clock;
  logger: Logger;
  demoClock: DemoClockControl | null;
}

/** The school date today, as English schools keep it. */
export const todayOf = (deps: Pick<ApiDeps, 'clock'>): IsoDate => londonDate(deps.clock.now());
