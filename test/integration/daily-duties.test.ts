import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Readable } from 'node:stream';
import { openTestPostgres } from '../support/postgres.ts';
import { importRegister } from '../support/register.ts';
import { ManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/logger.ts';
import { evaluateSchool } from '../../src/cases/evaluate-school.ts';
import { isReviewDay } from '../../src/domain/evaluate.ts';
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
  describe.each(Object.keys(WORKFLOWS))('seed 002, national threshold, under %s', (workflowId) => {
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
});
