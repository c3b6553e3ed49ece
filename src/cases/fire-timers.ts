import { measure, timerEvent } from '../domain/evaluate.ts';
import type { Clock } from '../clock.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { VersionConflict, type CaseRecord, type CaseTimer, type StoredMark, type Store, type TransitionCommit } from '../store/types.ts';
import { caseMachine, marksNeededFrom, schoolMachineFor, snapshotOf, type SchoolMachine } from './case-machines.ts';
import { planEvents } from './case-plan.ts';
import { londonDate } from '../domain/london-time.ts';
import type { IsoDate } from '../domain/types.ts';
import type { Timer } from '../domain/case-types.ts';

export interface TimerSweep {
  fired: number;
  /** Firings the case no longer wanted: already fired elsewhere, or replaced by a newer timer. */
  stale: number;
}

export interface SweepOptions {
  /** Due timers listed at a time. */
  batchSize?: number;
  /** At most this many cases decided and written in one atomic write. */
  chunk?: number;
  /** Chunks written at once (each on its own connection). */
  inFlight?: number;
}

type Deps = { store: Store; clock: Clock; logger: Logger };

const MAX_CONFLICT_RETRIES = 5;
const ACTOR = 'system:timer';

/**
 * Fires every case timer due by `now`, soonest first. The timer rows are the source of truth
 * (written with the snapshot that started them); a timer whose id the case no longer holds is
 * stale and ignored, so a repeat or a race between workers changes nothing.
 *
 * A sweep is planned in memory as the evaluation is: a round of due timers' cases read in one
 * statement, each school's machine once a sweep, the round's marks one statement a school, and
 * the transitions written a chunk of cases at a time in one versioned write (`writeCaseBatch`).
 * Cases are independent, so a few chunks are written at once. A chunk another writer got to
 * first fails as a whole on the version guard, and is read and decided again: what the other
 * fired is stale then.
 */
export async function fireDueTimers(deps: Deps, now: Date, options: SweepOptions = {}): Promise<TimerSweep> {
  const { batchSize = 200, chunk = 25, inFlight = 3 } = options;
  const result: TimerSweep = { fired: 0, stale: 0 };
  const seen = new Set<string>();
  const sweep: Sweep = { ...deps, today: londonDate(now), machines: new Map(), marks: new Map() };
  for (;;) {
    const listed = (await deps.store.listDueTimers(now, batchSize)).filter((timer) => !seen.has(timer.timerId));
    if (listed.length === 0) return result;
    // One timer a case a round: a case's next due timer is listed again and decided on the case its first left.
    const round = new Map<string, CaseTimer>();
    for (const timer of listed) if (!round.has(timer.caseId)) round.set(timer.caseId, timer);
    for (const timer of round.values()) seen.add(timer.timerId);
    sweep.marks.clear();
    const { live, stale } = await liveTimers(sweep, [...round.values()]);
    result.stale += stale;
    await readMarks(sweep, live);
    // A school's cases together: a chunk's rows sit near each other, and so do its conflicts.
    live.sort((a, b) => a.record.schoolId.localeCompare(b.record.schoolId));
    // Each lane gets several chunks, so a small round keeps every lane busy to its end.
    const size = Math.min(chunk, Math.max(1, Math.ceil(live.length / (inFlight * 4))));
    const chunks = Array.from({ length: Math.ceil(live.length / size) }, (_, i) => live.slice(i * size, (i + 1) * size));
    let next = 0;
    const lane = async () => {
      while (next < chunks.length) {
        const outcome = await fireChunk(sweep, chunks[next++]!);
        result.fired += outcome.fired;
        result.stale += outcome.stale;
      }
    };
    await Promise.all(Array.from({ length: Math.min(inFlight, chunks.length) }, lane));
  }
}

type Live = { row: CaseTimer; record: CaseRecord; machine: SchoolMachine; snapshot: ReturnType<typeof snapshotOf>; timer: Timer };
type Sweep = Deps & {
  today: IsoDate;
  machines: Map<string, Promise<SchoolMachine>>;
  /** The round's marks a measurement reads, by school and pupil: kept across a chunk's retries, as a race changes cases, not registers. */
  marks: Map<string, Map<string, StoredMark[]>>;
};

/** The school's machine, read once a sweep (the school, its calendar and its published policy versions). */
function machineOf(sweep: Sweep, schoolId: string): Promise<SchoolMachine> {
  let machine = sweep.machines.get(schoolId);
  if (!machine) {
    machine = (async () => {
      const school = await sweep.store.getSchool(schoolId);
      if (!school) throw new AppError(404, 'not_found', `no school '${schoolId}'`);
      return schoolMachineFor(sweep.store, school);
    })();
    sweep.machines.set(schoolId, machine);
  }
  return machine;
}

/** The timers whose cases, as stored now, still hold them; the others are stale. */
async function liveTimers(sweep: Sweep, timers: CaseTimer[]): Promise<{ live: Live[]; stale: number }> {
  // One more than there are, so the page is never full and no total is counted.
  const records = (await sweep.store.listCases({ caseIds: timers.map((timer) => timer.caseId), limit: timers.length + 1 })).cases;
  const byId = new Map(records.map((record) => [record.id, record]));
  const live: Live[] = [];
  let stale = 0;
  for (const row of timers) {
    const record = byId.get(row.caseId);
    if (!record) continue;
    const machine = await machineOf(sweep, record.schoolId);
    const snapshot = snapshotOf(machine, record);
    const timer = snapshot.context.timers[row.name];
    if (!timer || timer.timerId !== row.timerId) stale += 1;
    else live.push({ row, record, machine, snapshot, timer });
  }
  return { live, stale };
}

/** Decides a chunk's timer events in memory and writes them in one atomic write, deciding again on a lost race. */
async function fireChunk(sweep: Sweep, chunk: Live[]): Promise<TimerSweep> {
  const { store, logger } = sweep;
  let live = chunk;
  let stale = 0;
  for (let attempt = 0; ; attempt++) {
    const commits: TransitionCommit[] = [];
    let refused = 0;
    for (const { row, record, machine, snapshot, timer } of live) {
      const measurements = measure({
        policy: caseMachine(machine, record).workflow.policy,
        calendar: machine.calendar,
        marks: sweep.marks.get(record.schoolId)?.get(record.upn) ?? [],
        asOf: asOfFor(machine, sweep.today),
        case: { value: snapshot.value, context: snapshot.context },
      });
      const plan = planEvents(machine, record, [{ ...timerEvent(timer, measurements), at: sweep.today }], ACTOR, sweep.clock.now());
      if (plan.commit) commits.push(plan.commit);
      else {
        refused += 1;
        logger.info({ caseId: record.id, timer: row.name, state: plan.refused[0]!.state }, 'timer event refused');
      }
    }
    try {
      if (commits.length > 0) await store.writeCaseBatch({ commits });
      return { fired: commits.length, stale: stale + refused };
    } catch (error) {
      if (!(error instanceof VersionConflict) || attempt >= MAX_CONFLICT_RETRIES) throw error;
      // Another worker (or a person) moved a case of the chunk between our read and our write: the expected race, not a fault.
      logger.debug({ caseId: error.caseId, attempt }, 'timer chunk changed meanwhile: deciding it again');
      const again = await liveTimers(sweep, live.map((item) => item.row));
      live = again.live;
      stale += again.stale;
    }
  }
}

/** Timers fire in the morning: a measurement is as of today if it is a school day, else the school day before. */
function asOfFor(machine: SchoolMachine, today: IsoDate): IsoDate {
  return machine.calendar.isSchoolDay(today) ? today : machine.calendar.previousSchoolDay(today);
}

/** The marks each live case's measurement reads, one statement a school. */
async function readMarks(sweep: Sweep, live: Live[]) {
  const wanted = new Map<string, { machine: SchoolMachine; upns: string[] }>();
  for (const { record, machine } of live) {
    if (sweep.marks.get(record.schoolId)?.has(record.upn)) continue;
    const school = wanted.get(record.schoolId) ?? { machine, upns: [] };
    school.upns.push(record.upn);
    wanted.set(record.schoolId, school);
  }
  for (const [schoolId, { machine, upns }] of wanted) {
    const asOf = asOfFor(machine, sweep.today);
    const bySchool = sweep.marks.get(schoolId) ?? new Map<string, StoredMark[]>();
    for (const upn of upns) bySchool.set(upn, []);
    for await (const item of sweep.store.streamSchoolMarks(schoolId, { from: marksNeededFrom(machine, asOf), to: asOf, upns })) bySchool.set(item.upn, item.marks);
    sweep.marks.set(schoolId, bySchool);
  }
}
