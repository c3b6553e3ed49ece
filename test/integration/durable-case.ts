import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { AgendaBackend } from 'agenda';
import { importRegister, schoolWithPupil } from '../support/register.ts';
import { considered } from '../unit/machines/support.ts';
import { ManualClock, systemClock } from '../../src/clock.ts';
import { createLogger } from '../../src/logger.ts';
import { createCaseService, type CaseService } from '../../src/cases/case-service.ts';
import { evaluateSchool } from '../../src/cases/evaluate-school.ts';
import { startOfLondonDate } from '../../src/domain/london-time.ts';
import { createOutboxDispatcher } from '../../src/jobs/outbox-dispatcher.ts';
import { coreEffectHandlers } from '../../src/jobs/effect-handlers.ts';
import { startWorker, type Worker } from '../../src/jobs/agenda.ts';
import { JOB, workerJobs } from '../../src/jobs/worker-jobs.ts';
import { calendarFor, getWorkflow } from '../../workflows/index.ts';
import type { CaseRecord, Store } from '../../src/store/types.ts';

const logger = createLogger(process.env.TEST_LOG ?? 'silent');
const SCHOOL = { id: 'wca', workflowId: 'west-coventry', localAuthority: 'coventry' };
const UPN = 'A331400112001';
const calendar = calendarFor(getWorkflow(SCHOOL.workflowId), SCHOOL.localAuthority);
/** 06:00 London on a date: when the overnight timer sweep has run. */
const morningOf = (date: string) => new Date(startOfLondonDate(date).getTime() + 6 * 3_600_000);

/** A store with Agenda on the same database, as the service opens it. */
export interface DurableStore {
  store: Store;
  agendaBackend(): AgendaBackend;
  close(): Promise<void>;
}

/** The West Coventry path through the real case service and Agenda jobs, for one store adapter. */
export function defineDurableCase(name: string, open: () => Promise<DurableStore>) {
  describe(`a West Coventry case, durable, through real Agenda jobs (${name})`, () => {
    let db: DurableStore;
    let cases: CaseService;
    let worker: Worker;
    const clock = new ManualClock(morningOf('2024-10-14'));
    const deps = () => ({ store: db.store, cases, clock, logger });

    const startTheWorker = async () => {
      const dispatcher = createOutboxDispatcher({
        store: db.store,
        clock: systemClock,
        logger,
        // Letters arrive with the mail handlers; until then they wait, visibly.
        handlers: coreEffectHandlers({ store: db.store, clock, logger }),
      });
      return startWorker({
        backend: db.agendaBackend(),
        logger,
        jobs: workerJobs({ store: db.store, cases, dispatcher, clock, logger }),
        processEvery: 100,
      });
    };
    const theCase = async () => (await db.store.findOpenCase(SCHOOL.id, UPN))!;
    /** Moves the clock and lets the real Agenda job fire what fell due. */
    const liveUntil = async (date: string, expectedState: string) => {
      clock.set(morningOf(date));
      await worker.kick(JOB.fireTimers);
      await expect.poll(async () => (await theCase()).state, { timeout: 15_000, interval: 100 }).toBe(expectedState);
    };

    beforeAll(async () => {
      db = await open();
      cases = createCaseService({ store: db.store, clock, logger });
      await schoolWithPupil(db.store, SCHOOL, UPN);
      worker = await startTheWorker();
    });
    afterAll(async () => {
      await worker?.stop();
      await db?.close();
    });

    it('when attendance is 93% at the Monday review, then the evaluator opens Stage 1a with Letter A and a review timer', async () => {
      // 4 unexplained sessions in 6 weeks: 54 of 58 sessions, 93.1%.
      await importRegister(db.store, SCHOOL.id, UPN, calendar, '2024-09-03', '2024-10-11', {
        '2024-10-07 AM': 'O',
        '2024-10-07 PM': 'O',
        '2024-10-08 AM': 'O',
        '2024-10-08 PM': 'O',
      });
      const summary = await evaluateSchool(deps(), SCHOOL.id, '2024-10-14');
      expect(summary).toMatchObject({ reviewDay: true, pupils: 1, opened: 1 });
      const opened = await theCase();
      expect(opened).toMatchObject({ state: 'open.stage1a', version: 1, status: 'open', machineVersion: 1 });
      const [entry] = await db.store.listTimeline(opened.id);
      expect(entry).toMatchObject({ actor: 'system:evaluator', from: 'new', to: 'open.stage1a', evidence: { event: 'OPEN', attendancePct: (54 / 58) * 100, rule: expect.stringContaining('opening') } });
      expect((await db.store.listEffects({ caseId: opened.id })).map((e) => e.kind)).toEqual(['sendLetter', 'createTask', 'createTask']);
      expect(await db.store.listTimers(opened.id)).toMatchObject([{ name: 'review', dueAt: startOfLondonDate('2024-11-18') }]);
    });

    it('when the worker runs, then the case tasks are made once and the letter waits for mail delivery', async () => {
      await worker.kick(JOB.dispatchOutbox);
      const caseId = (await theCase()).id;
      await expect.poll(async () => (await db.store.listTasks({ caseId })).length, { timeout: 10_000 }).toBe(2);
      await expect.poll(async () => (await db.store.listEffects({ caseId, status: 'waiting' })).map((e) => e.kind)).toEqual(['sendLetter']);
    });

    it('when the review date passes with no improvement, then the timer job moves the case to Stage 1b', async () => {
      // Three more days unexplained: 96 of 106 sessions, 90.6%, down from 93.1% at Letter A.
      await importRegister(db.store, SCHOOL.id, UPN, calendar, '2024-10-14', '2024-11-15', {
        '2024-11-11 AM': 'O',
        '2024-11-11 PM': 'O',
        '2024-11-12 AM': 'O',
        '2024-11-12 PM': 'O',
        '2024-11-13 AM': 'O',
        '2024-11-13 PM': 'O',
      });
      await liveUntil('2024-11-18', 'open.stage1b');
      const timeline = await db.store.listTimeline((await theCase()).id);
      expect(timeline.at(-1)).toMatchObject({ actor: 'system:timer', from: 'open.stage1a', to: 'open.stage1b', evidence: { event: 'REVIEW_DUE' } });
    });

    it('when the same timer fires twice and a staff action is sent twice at once, then each makes one transition', async () => {
      const before = await theCase();
      const [timer] = await db.store.listTimers(before.id);
      // Re-fire the review that already fired: its id is no longer the case's, so nothing happens.
      await expect(
        cases.send(before.id, { type: 'REVIEW_DUE', at: '2024-11-18', timerId: `${before.id}/review/1`, evidence: { rule: 'replay', attendancePct: 90 } }, { actor: 'system:timer' }),
      ).rejects.toMatchObject({ code: 'event_not_allowed' });
      expect(timer!.timerId).not.toBe(`${before.id}/review/1`);

      const action = () => cases.send(before.id, { type: 'PARENT_DID_NOT_ATTEND', at: '2024-11-28' }, { actor: 'user:pastoral', expectedVersion: before.version });
      const results = await Promise.allSettled([action(), action()]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: 'version_conflict' });
      const after = await theCase();
      expect(after).toMatchObject({ state: 'open.stage2', version: before.version + 1 });
      const effects = await db.store.listEffects({ caseId: after.id });
      expect(effects.filter((e) => e.id.startsWith(`${after.id}:v${after.version}:`)).map((e) => (e.payload as { template?: string }).template ?? e.kind)).toEqual([
        'west-coventry/letter-c',
        'west-coventry/stage-2-case-discussion',
        'west-coventry/csaws-referral',
        ...effects.filter((e) => e.id.startsWith(`${after.id}:v${after.version}:`) && e.kind === 'createTask').map(() => 'createTask'),
      ]);
    });

    it('when the national threshold is met, then considerations and a Notice to Improve of 20 school days follow', async () => {
      // The 10 unexplained sessions since 7 October all fall in the 10 school weeks to 2 December.
      await importRegister(db.store, SCHOOL.id, UPN, calendar, '2024-11-18', '2024-11-29');
      await evaluateSchool(deps(), SCHOOL.id, '2024-12-02');
      expect((await theCase()).state).toBe('open.considering');
      const id = (await theCase()).id;
      await cases.send(id, considered('2024-12-03', 'noticeToImprove'), { actor: 'user:champion' });
      await cases.send(id, { type: 'NTI_ISSUED', at: '2024-12-09' }, { actor: 'user:champion' });
      expect((await theCase()).state).toBe('open.noticeToImprove.improvementPeriod');
      expect(await db.store.getTimer(id, 'improvementPeriod')).toMatchObject({ dueAt: startOfLondonDate('2025-01-20') });
    });

    it('when the worker restarts mid-way and unauthorised absence falls in the improvement period, then the case still goes on to a penalty notice', async () => {
      await worker.stop();
      worker = await startTheWorker();
      await importRegister(db.store, SCHOOL.id, UPN, calendar, '2024-12-02', '2025-01-08', { '2025-01-08 AM': 'O' });
      clock.set(morningOf('2025-01-08'));
      await evaluateSchool(deps(), SCHOOL.id, '2025-01-08');
      const id = (await theCase()).id;
      expect((await theCase()).state).toBe('open.penaltyNotice.requested');
      expect(await db.store.getTimer(id, 'improvementPeriod')).toBeNull();
      await cases.send(id, { type: 'PENALTY_NOTICE_ISSUED', at: '2025-01-10', parentId: 'parent-1' }, { actor: 'user:champion' });
      expect((await db.store.listTimers(id)).map((t) => [t.name.split(':')[0], t.dueAt])).toEqual([
        ['reducedRate', startOfLondonDate('2025-01-31')],
        ['payment', startOfLondonDate('2025-02-07')],
      ]);
    });

    it('when 28 days pass unpaid, then both payment timers fire in order and the LA decides', async () => {
      await liveUntil('2025-02-08', 'open.penaltyNotice.laDecision');
      const record: CaseRecord = await theCase();
      const timerEvents = (await db.store.listTimeline(record.id)).filter((t) => t.actor === 'system:timer').map((t) => (t.evidence as { event: string }).event);
      expect(timerEvents).toEqual(['REVIEW_DUE', 'REDUCED_RATE_WINDOW_CLOSED', 'PAYMENT_WINDOW_CLOSED']);
      expect(await db.store.listTimers(record.id)).toEqual([]);
      await cases.send(record.id, { type: 'LA_DECISION', at: '2025-02-20', parentId: 'parent-1', decision: 'prosecute' }, { actor: 'ewo:coventry' });
      const final = await theCase();
      expect(final.state).toBe('open.prosecution.preparing');

      const timeline = await db.store.listTimeline(final.id);
      expect(timeline.map((t) => `${(t.evidence as { event: string }).event}: ${t.from} -> ${t.to}`)).toEqual([
        'OPEN: new -> open.stage1a',
        'REVIEW_DUE: open.stage1a -> open.stage1b',
        'PARENT_DID_NOT_ATTEND: open.stage1b -> open.stage2',
        'THRESHOLD_MET: open.stage2 -> open.considering',
        'CONSIDERATIONS_RECORDED: open.considering -> open.noticeToImprove.requested',
        'NTI_ISSUED: open.noticeToImprove.requested -> open.noticeToImprove.improvementPeriod',
        'UNAUTHORISED_ABSENCE: open.noticeToImprove.improvementPeriod -> open.penaltyNotice.requested',
        'PENALTY_NOTICE_ISSUED: open.penaltyNotice.requested -> open.penaltyNotice.paymentWindow',
        'REDUCED_RATE_WINDOW_CLOSED: open.penaltyNotice.paymentWindow -> open.penaltyNotice.paymentWindow',
        'PAYMENT_WINDOW_CLOSED: open.penaltyNotice.paymentWindow -> open.penaltyNotice.laDecision',
        'LA_DECISION: open.penaltyNotice.laDecision -> open.prosecution.preparing',
      ]);
      const letters = (await db.store.listEffects({ caseId: final.id }))
        .filter((e) => e.kind === 'sendLetter')
        .map((e) => (e.payload as { template: string }).template);
      expect(letters).toEqual(['west-coventry/letter-a', 'west-coventry/letter-b', 'west-coventry/letter-c', 'west-coventry/prosecution-formal-notice']);
      expect(new Set((await db.store.listEffects({ caseId: final.id })).map((e) => e.id)).size).toBe((await db.store.listEffects({ caseId: final.id })).length);
    });
  });
}
