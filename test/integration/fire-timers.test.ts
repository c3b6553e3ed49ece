import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Readable } from 'node:stream';
import { openTestPostgres } from '../support/postgres.ts';
import { importRegister, schoolWithPupil } from '../support/register.ts';
import { importPupils } from '../../src/register/import-register.ts';
import { ManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/logger.ts';
import { evaluateSchool } from '../../src/cases/evaluate-school.ts';
import { fireDueTimers } from '../../src/cases/fire-timers.ts';
import { calendarFor, getWorkflow } from '../../workflows/index.ts';
import { startOfLondonDate } from '../../src/domain/london-time.ts';
import type { OpenedPostgres } from '../../src/store/postgres/open.ts';

const logger = createLogger(process.env.TEST_LOG ?? 'silent');
const SCHOOL = { id: 'wca', workflowId: 'west-coventry', localAuthority: 'coventry' };
const PUPILS = 30;
const upn = (i: number) => `A3314001130${String(i).padStart(2, '0')}`;

describe('the timer sweep', () => {
  let db: OpenedPostgres;
  const clock = new ManualClock(new Date('2024-10-14T17:00:00Z'));

  beforeAll(async () => {
    db = await openTestPostgres();
    await schoolWithPupil(db.store, SCHOOL, upn(0));
    const rows = Array.from({ length: PUPILS - 1 }, (_, i) => `${upn(i + 1)},Sam,Number${i + 1},2011-01-01,9`).join('\n');
    await importPupils(db.store, { schoolId: SCHOOL.id, source: Readable.from([Buffer.from(`upn,forename,surname,date_of_birth,year_group\n${rows}\n`)]), actor: 'test', reason: 'test', at: new Date() });
    const calendar = calendarFor(getWorkflow(SCHOOL.workflowId), SCHOOL.localAuthority);
    for (let i = 0; i < PUPILS; i++) {
      // 93% at the first review; the even pupils fall further by the second, the odd ones recover.
      const later: Record<string, string> = i % 2 === 0 ? { '2024-11-12 AM': 'O', '2024-11-12 PM': 'O', '2024-11-13 AM': 'O', '2024-11-13 PM': 'O' } : {};
      await importRegister(db.store, SCHOOL.id, upn(i), calendar, '2024-09-03', '2024-11-15', {
        '2024-10-07 AM': 'O',
        '2024-10-07 PM': 'O',
        '2024-10-08 AM': 'O',
        '2024-10-08 PM': 'O',
        ...later,
      });
    }
  }, 120_000);
  afterAll(async () => {
    await db?.close();
  });

  it('when two sweeps race on the same due timers, then each timer fires once, decided on its own pupil’s register', async () => {
    expect((await evaluateSchool({ store: db.store, clock, logger }, SCHOOL.id, '2024-10-14')).opened).toBe(PUPILS);
    const due = await db.store.listDueTimers(startOfLondonDate('2024-11-19'), 1000);
    expect(due).toHaveLength(PUPILS);
    const now = new Date(startOfLondonDate('2024-11-18').getTime() + 7 * 3_600_000);
    clock.set(now);
    const deps = { store: db.store, clock, logger };
    // Small chunks on several lanes, so the two sweeps' writes interleave and collide.
    const [a, b] = await Promise.all([fireDueTimers(deps, now, { chunk: 2, inFlight: 3 }), fireDueTimers(deps, now, { chunk: 3, inFlight: 2 })]);
    expect(a.fired + b.fired).toBe(PUPILS);
    expect(await db.store.listDueTimers(now, 1000)).toEqual([]);

    const cases = (await db.store.listCases({ schoolIds: [SCHOOL.id], limit: 1000 })).cases;
    expect(cases).toHaveLength(PUPILS);
    for (const record of cases) {
      const timeline = await db.store.listTimeline(record.id);
      expect(timeline.map((t) => (t.evidence as { event: string }).event)).toEqual(['OPEN', 'REVIEW_DUE']);
      expect(timeline[1]!.actor).toBe('system:timer');
      expect(record.version).toBe(2);
    }
    // Each pupil's own marks decided their case: the ones who fell further moved on, the others did not.
    const moved = new Set(cases.filter((record) => record.state === 'open.stage1b').map((record) => record.upn));
    expect(moved).toEqual(new Set(Array.from({ length: PUPILS }, (_, i) => i).filter((i) => i % 2 === 0).map(upn)));

    // A sweep after both finds nothing left to fire.
    expect(await fireDueTimers(deps, now)).toEqual({ fired: 0, stale: 0 });
  }, 120_000);
});
