import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { openTestPostgres } from '../support/postgres.ts';
import { importRegister, schoolWithPupil } from '../support/register.ts';
import { createLogger } from '../../src/logger.ts';
import { createCaseService } from '../../src/cases/case-service.ts';
import { SharedClock, advanceClock, isShiftedClock } from '../../src/cases/demo-clock.ts';
import { calendarFor, getWorkflow } from '../../workflows/index.ts';
import { parseDuration } from '../../src/domain/duration.ts';
import type { OpenedPostgres } from '../../src/store/postgres/open.ts';

const logger = createLogger('silent');
const toSecond = (instant: Date) => instant.toISOString().slice(0, 19);
const SCHOOL = { id: 'wca', workflowId: 'west-coventry', localAuthority: 'coventry' };
const UPN = 'A331400112002';

describe('the demo clock', () => {
  let db: OpenedPostgres;
  beforeAll(async () => {
    db = await openTestPostgres();
    await schoolWithPupil(db.store, SCHOOL, UPN);
    await importRegister(db.store, SCHOOL.id, UPN, calendarFor(getWorkflow(SCHOOL.workflowId), SCHOOL.localAuthority), '2024-09-03', '2024-10-11', { '2024-10-07 AM': 'O', '2024-10-07 PM': 'O' });
  });
  afterAll(async () => {
    await db?.close();
  });

  it('when one process moves the clock, then another reads the same time after a refresh', async () => {
    const mover = new SharedClock(db.store);
    const reader = new SharedClock(db.store);
    expect(await isShiftedClock(db.store)).toBe(false);
    await mover.set(new Date('2024-10-13T12:00:00Z'));
    await reader.refresh();
    expect(Math.abs(reader.now().getTime() - new Date('2024-10-13T12:00:00Z').getTime())).toBeLessThan(1000);
    expect(await isShiftedClock(db.store)).toBe(true);
  });

  it('when the clock is advanced through weeks, then evaluations and timers happen day by day in order', async () => {
    const clock = new SharedClock(db.store);
    await clock.set(new Date('2024-10-13T12:00:00Z'));
    const cases = createCaseService({ store: db.store, clock, logger });
    const first = await advanceClock({ store: db.store, cases, logger, clock }, parseDuration('30h')!);
    expect(first.evaluations).toBe(1);
    const opened = (await db.store.findOpenCase(SCHOOL.id, UPN))!;
    expect(opened.state).toBe('open.stage1a');
    // The shared clock is real time shifted, so instants carry the milliseconds the work took.
    expect(toSecond(opened.openedAt)).toBe('2024-10-14T17:00:00');

    await importRegister(db.store, SCHOOL.id, UPN, calendarFor(getWorkflow(SCHOOL.workflowId), SCHOOL.localAuthority), '2024-10-14', '2024-11-15', {
      '2024-11-12 AM': 'O',
      '2024-11-12 PM': 'O',
      '2024-11-13 AM': 'O',
      '2024-11-13 PM': 'O',
    });
    const later = await advanceClock({ store: db.store, cases, logger, clock }, parseDuration('5w')!);
    expect(later.timersFired).toBe(1);
    // 15 October to 18 November: 25 weekdays less the half-term week.
    expect(later.evaluations).toBe(20);
    const timeline = await db.store.listTimeline(opened.id);
    expect(timeline.map((t) => [toSecond(t.at), t.actor, t.to])).toEqual([
      ['2024-10-14T17:00:00', 'system:evaluator', 'open.stage1a'],
      // 07:00 London on the review date, 20 school days after Letter A.
      ['2024-11-18T07:00:00', 'system:timer', 'open.stage1b'],
    ]);
    expect(Math.abs(clock.now().getTime() - new Date('2024-11-18T18:00:00Z').getTime())).toBeLessThan(1000);
  });

  it('when a school day was evaluated already, then evaluating it again sends nothing twice', async () => {
    const clock = new SharedClock(db.store);
    await clock.refresh();
    const { evaluateSchool } = await import('../../src/cases/evaluate-school.ts');
    const again = await evaluateSchool({ store: db.store, clock, logger }, SCHOOL.id, '2024-11-18');
    expect(again).toMatchObject({ alreadyEvaluated: true, events: 0 });
  });

  it('when a duration is written, then h, d and w are understood and anything else is refused', () => {
    expect(parseDuration('28d')).toBe(28 * 86_400_000);
    expect(parseDuration('3w')).toBe(21 * 86_400_000);
    expect(parseDuration('12h')).toBe(12 * 3_600_000);
    expect(parseDuration('soon')).toBeNull();
    expect(parseDuration('-1d')).toBeNull();
  });
});
