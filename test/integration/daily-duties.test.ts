import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Readable } from 'node:stream';
import { openTestPostgres } from '../support/postgres.ts';
import { importRegister } from '../support/register.ts';
import { ManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/logger.ts';
import { evaluateSchool } from '../../src/cases/evaluate-school.ts';
import { isBandReviewDay, isReviewDay } from '../../src/domain/evaluate.ts';
import { importPupils } from '../../src/register/import-register.ts';
import { calendarFor, getWorkflow, WORKFLOWS } from '../../workflows/index.ts';
import type { OpenedPostgres } from '../../src/store/postgres/open.ts';

/**
 * Duties the seeds tie to a day of absence, owed to every pupil, case or not, decided by the
 * evening's evaluation against the real PostgreSQL store.
 */

const csv = (text: string) => Readable.from([Buffer.from(text)]);
const TERM_START = '2024-09-03';
const HOLIDAY = ['2024-11-11', '2024-11-12', '2024-11-13', '2024-11-14', '2024-11-15'];
/** The Tuesday after the holiday: a review day only where the policy reviews daily. */
const BACK = '2024-11-19';
const holiday = Object.fromEntries(HOLIDAY.flatMap((date) => [[`${date} AM`, 'G'], [`${date} PM`, 'G']]));

describe('daily duties for every pupil', () => {
  let db: OpenedPostgres;
  const clock = new ManualClock(new Date('2024-11-19T17:00:00Z'));
  const evaluate = (schoolId: string, asOf: string) => evaluateSchool({ store: db.store, clock, logger: createLogger('silent') }, schoolId, asOf);
  async function school(id: string, workflowId: string, pupils: { upn: string; flags?: string }[]) {
    const workflow = getWorkflow(workflowId);
    const localAuthority = workflow.policy.calendarId ?? 'coventry';
    await db.store.upsertSchool({ id, trustId: 'trust', name: `School ${id}`, workflowId, localAuthority });
    const rows = pupils.map(({ upn, flags }, i) => `${upn},Pupil,${i},2011-05-01,9,${flags ?? ''}`).join('\n');
    const report = await importPupils(db.store, { schoolId: id, source: csv(`upn,forename,surname,date_of_birth,year_group,vulnerability\n${rows}\n`), actor: 'test', reason: 'test', at: new Date() });
    expect(report.applied).toBe(true);
    return calendarFor(workflow, localAuthority);
  }

  beforeAll(async () => {
    db = await openTestPostgres();
    await db.store.upsertTrust({ id: 'trust', name: 'Trust' });
  });
  afterAll(async () => {
    await db?.close();
  });

  // Seed 002: "the national threshold for when a penalty notice must be considered by all schools";
  // seed 001 (Equinox): "unauthorised leave of absence of 5 days or more will result in the issuing of a penalty notice".
  describe.each(Object.keys(WORKFLOWS))('seed 002, "the national threshold for when a penalty notice must be considered by all schools" (and seed 001, Equinox: "unauthorised leave of absence of 5 days or more"), under %s', (workflowId) => {
    it('when a high attender takes a week of term-time holiday (10 G sessions), then on the next school days a case opens at considerations, whatever the review cadence', async () => {
      const id = `threshold-${workflowId}`;
      const upn = 'A331400112201';
      const calendar = await school(id, workflowId, [{ upn }]);
      for (const date of HOLIDAY) expect(calendar.isSchoolDay(date)).toBe(true);
      // Present every session of the term until the holiday: no case before it.
      await importRegister(db.store, id, upn, calendar, TERM_START, '2024-11-08');
      await evaluate(id, '2024-11-08');
      expect((await db.store.listCases({ schoolIds: [id], limit: 10 })).cases).toEqual([]);
      // The week's G marks are entered when the pupil is back; the evening after is not a review day for a weekly-or-less policy.
      await importRegister(db.store, id, upn, calendar, TERM_START, BACK, holiday);
      const summary = await evaluate(id, BACK);
      const policy = getWorkflow(workflowId).policy;
      expect(summary.reviewDay).toBe(isReviewDay(policy, calendar, BACK));
      expect(summary).toMatchObject({ opened: 1 });
      const { cases } = await db.store.listCases({ schoolIds: [id], limit: 10 });
      expect(cases.map((record) => [record.upn, record.state, record.status])).toEqual([[upn, 'open.considering', 'open']]);
      const timeline = await db.store.listTimeline(cases[0]!.id);
      expect(timeline.map((entry) => [entry.from, entry.to, (entry.evidence as { event: string }).event])).toEqual([['new', 'open.considering', 'THRESHOLD_MET']]);
      // No stage letter: the family is not told attendance is below target when the breach is the holiday.
      expect(await db.store.listEffects({ caseId: cases[0]!.id })).not.toContainEqual(expect.objectContaining({ kind: 'sendLetter' }));
      // Evaluated again the next day: the breach already considered does not open a second case.
      await importRegister(db.store, id, upn, calendar, TERM_START, '2024-11-20', holiday);
      await evaluate(id, '2024-11-20');
      expect((await db.store.listCases({ schoolIds: [id], limit: 10 })).cases).toHaveLength(1);
    });
  });

  const ABSENCE = ['2024-12-02', '2024-12-03', '2024-12-04', '2024-12-05', '2024-12-06'];
  const coded = (dates: string[], code: string) => Object.fromEntries(dates.flatMap((date) => [[`${date} AM`, code], [`${date} PM`, code]]));
  const openTasks = async (schoolId: string, kind: string) =>
    (await db.store.listTasks({ schoolIds: [schoolId], status: 'open' })).filter((task) => task.kind === kind).map((task) => [task.id, task.caseId, task.dueDate]);

  describe('seed 003, Leading Futures: "All families will be contacted by the provision on the first day of absence"; face-to-face contact "every first day" (RED), "every third day" (AMBER), every fifth day (GREEN)', () => {
    const id = 'lf-duties';
    const [RED, AMBER, GREEN, UNRATED] = ['A331400112301', 'A331400112302', 'A331400112303', 'A331400112304'];

    it('when learners rated red, amber, green and unrated, none with a case, are off ill for a week, then each family gets one first-day contact task and each learner the visits their rating sets', async () => {
      const calendar = await school(id, 'leading-futures', [{ upn: RED, flags: 'red' }, { upn: AMBER, flags: 'amber' }, { upn: GREEN, flags: 'green' }, { upn: UNRATED }]);
      for (const day of ABSENCE) {
        for (const upn of [RED, AMBER, GREEN, UNRATED]) await importRegister(db.store, id, upn, calendar, TERM_START, day, coded(ABSENCE, 'I'));
        await evaluate(id, day);
      }
      // Good attenders until this week: attendance stays above the provision's 90%, so no case opens.
      expect((await db.store.listCases({ schoolIds: [id], limit: 10 })).cases).toEqual([]);
      expect(await openTasks(id, 'firstDayContact')).toEqual(
        expect.arrayContaining([RED, AMBER, GREEN, UNRATED].map((upn) => [`duty:first-day-contact:${id}:${upn}:2024-12-02`, null, '2024-12-02'])),
      );
      expect(await openTasks(id, 'firstDayContact')).toHaveLength(4);
      const visits = (await openTasks(id, 'faceToFaceContact')).map(([taskId]) => taskId as string).sort();
      expect(visits).toEqual(
        [
          ...ABSENCE.map((day) => `duty:face-to-face:${id}:${RED}:${day}`),
          `duty:face-to-face:${id}:${AMBER}:2024-12-04`,
          `duty:face-to-face:${id}:${GREEN}:2024-12-06`,
          `duty:face-to-face:${id}:${UNRATED}:2024-12-06`,
        ].sort(),
      );
    });

    it('when the learner comes back and is absent again, then the new absence gets its own first-day contact', async () => {
      const calendar = await school(`${id}-again`, 'leading-futures', [{ upn: GREEN, flags: 'green' }]);
      const marks = { ...coded(['2024-12-02'], 'O'), ...coded(['2024-12-04'], 'I') };
      for (const day of ['2024-12-02', '2024-12-03', '2024-12-04']) {
        await importRegister(db.store, `${id}-again`, GREEN, calendar, TERM_START, day, marks);
        await evaluate(`${id}-again`, day);
      }
      expect((await openTasks(`${id}-again`, 'firstDayContact')).map(([taskId]) => taskId)).toEqual([
        `duty:first-day-contact:${id}-again:${GREEN}:2024-12-02`,
        `duty:first-day-contact:${id}-again:${GREEN}:2024-12-04`,
      ]);
    });
  });

  it('seed 003: when a RED learner\'s first day of absence is also the day attendance opens their case, then that day\'s face-to-face contact is still raised, on the new case', async () => {
    const id = 'lf-opened-today';
    const upn = 'A331400112305';
    const calendar = await school(id, 'leading-futures', [{ upn, flags: 'red' }]);
    // A learner new to the provision: a week present, then absent; 10 of 12 sessions is below 90%.
    await importRegister(db.store, id, upn, calendar, '2024-11-25', '2024-12-02', coded(['2024-12-02'], 'O'));
    expect(await evaluate(id, '2024-12-02')).toMatchObject({ opened: 1 });
    const [opened] = (await db.store.listCases({ schoolIds: [id], limit: 10 })).cases;
    expect(await openTasks(id, 'faceToFaceContact')).toEqual([[`duty:face-to-face:${id}:${upn}:2024-12-02`, opened!.id, '2024-12-03']]);
  });

  describe('seed 004, DSAT: a pupil who "does not attend the school for 10 school days" → the Missing from Education form to the EWS', () => {
    const TEN_DAYS = [...ABSENCE, '2024-12-09', '2024-12-10', '2024-12-11', '2024-12-12', '2024-12-13'];

    it('when a pupil with no case has ten school days of N marks, then the evening of the tenth day raises the child-missing-education task, and not before', async () => {
      const id = 'dsat-cme';
      const upn = 'A331400112401';
      const calendar = await school(id, 'dsat', [{ upn }]);
      for (const day of TEN_DAYS) expect(calendar.isSchoolDay(day)).toBe(true);
      await importRegister(db.store, id, upn, calendar, TERM_START, '2024-12-12', coded(TEN_DAYS, 'N'));
      await evaluate(id, '2024-12-12');
      expect(await openTasks(id, 'child-missing-education')).toEqual([]);
      await importRegister(db.store, id, upn, calendar, TERM_START, '2024-12-13', coded(TEN_DAYS, 'N'));
      expect(isReviewDay(getWorkflow('dsat').policy, calendar, '2024-12-13')).toBe(false);
      await evaluate(id, '2024-12-13');
      expect((await db.store.listCases({ schoolIds: [id], limit: 10 })).cases).toEqual([]);
      expect(await openTasks(id, 'child-missing-education')).toEqual([[`duty:child-missing-education:${id}:${upn}:2024-12-02`, null, '2024-12-13']]);
    });

    it('when the family has told the school why (the run is illness, not N), then no child-missing-education task is raised', async () => {
      const id = 'dsat-cme-ill';
      const upn = 'A331400112402';
      const calendar = await school(id, 'dsat', [{ upn }]);
      await importRegister(db.store, id, upn, calendar, TERM_START, '2024-12-13', coded(TEN_DAYS, 'I'));
      await evaluate(id, '2024-12-13');
      expect(await openTasks(id, 'child-missing-education')).toEqual([]);
    });
  });

  describe('seed 001, Whitelands Park: "95%-91%: Amber: Contact home from Headteacher and invite to meeting"', () => {
    it('when the weekly RAG review finds a pupil in the amber band with no case, then the Headteacher’s contact and invitation is a task, on a Monday without a letter review', async () => {
      const id = 'wp-band';
      const upn = 'A331400112401';
      const calendar = await school(id, 'whitelands-park', [{ upn }]);
      const policy = getWorkflow('whitelands-park').policy;
      // A Monday of the weekly RAG review that is not one of the fortnightly letter reviews.
      const monday = ['2024-09-30', '2024-10-07'].find((d) => isBandReviewDay(policy, calendar, d) && !isReviewDay(policy, calendar, d))!;
      // Three sessions off ill: 94% over the term, amber (95%-91%) but below the 95% that opens a case only on a review day.
      await importRegister(db.store, id, upn, calendar, TERM_START, monday, { '2024-09-10 AM': 'I', '2024-09-10 PM': 'I', '2024-09-11 AM': 'I' });
      await evaluate(id, monday);
      expect((await db.store.listCases({ schoolIds: [id], limit: 10 })).cases).toEqual([]);
      const tasks = (await db.store.listTasks({ schoolIds: [id], status: 'open' })).filter((task) => task.kind === 'headteacherContact');
      expect(tasks).toEqual([expect.objectContaining({ caseId: null, title: expect.stringContaining('Contact home from the Headteacher, and invite the parents to a meeting (amber band') })]);
      // Evaluated again: one task, not two.
      await evaluate(id, monday);
      expect((await db.store.listTasks({ schoolIds: [id], status: 'open' })).filter((task) => task.kind === 'headteacherContact')).toHaveLength(1);
    });
  });
});
