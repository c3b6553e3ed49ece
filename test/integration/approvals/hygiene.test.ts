import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Readable } from 'node:stream';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestPostgres } from '../../support/postgres.ts';
import { importRegister } from '../../support/register.ts';
import { ManualClock } from '../../../src/clock.ts';
import { createLogger } from '../../../src/logger.ts';
import { evaluateSchool } from '../../../src/cases/evaluate-school.ts';
import { calendarFor, getWorkflow } from '../../../workflows/index.ts';
import { importContacts, importPupils } from '../../../src/register/import-register.ts';
import { createOutboxDispatcher } from '../../../src/jobs/outbox-dispatcher.ts';
import { coreEffectHandlers } from '../../../src/jobs/effect-handlers.ts';
import { testEvidenceLinks } from '../../support/evidence-links.ts';
import { createMailEffectHandlers, createMailer } from '../../../src/mail/index.ts';
import { completeTask } from '../../../src/cases/register-duties.ts';
import type { OpenedPostgres } from '../../../src/store/postgres/open.ts';
import { startSmtp } from '../../support/smtp.ts';

const logger = createLogger('silent');
const csv = (text: string) => Readable.from([Buffer.from(text)]);
const WCA = { workflowId: 'west-coventry', localAuthority: 'coventry' };
const calendar = calendarFor(getWorkflow(WCA.workflowId), WCA.localAuthority);
const UPN1 = 'A331400112101';
const UPN2 = 'A331400112102';
const CONTACTS_HEADER = 'upn,name,relationship,email,phone,parental_responsibility,lives_with\n';
/** Four unexplained sessions in six weeks: 93.1% at the Monday review, so a case opens with Letter A. */
const CONCERN = { '2024-10-07 AM': 'O', '2024-10-07 PM': 'O', '2024-10-08 AM': 'O', '2024-10-08 PM': 'O' };

describe('register hygiene and statutory duties, from register data', () => {
  let db: OpenedPostgres;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const clock = new ManualClock(new Date('2024-10-14T17:00:00Z'));
  const evaluate = (schoolId: string, asOf: string) => evaluateSchool({ store: db.store, clock, logger }, schoolId, asOf);

  async function school(id: string, workflow = WCA, pupils = `${UPN1},Sam,Taylor,2011-05-01,9\n`, contacts = `${UPN1},Jo Taylor,mother,jo@example.org,,yes,yes\n`) {
    await db.store.upsertTrust({ id: 'trust', name: 'Trust' });
    await db.store.upsertSchool({ id, trustId: 'trust', name: `School ${id}`, ...workflow, notifyEmails: { la: 'la@example.org', ewo: 'ewo@example.org' } });
    const meta = { schoolId: id, actor: 'test', reason: 'test', at: new Date() };
    const imported = [
      await importPupils(db.store, { ...meta, source: csv(`upn,forename,surname,date_of_birth,year_group,on_roll\n${pupils.replace(/\n/g, ',yes\n')}`) }),
      await importContacts(db.store, { ...meta, source: csv(CONTACTS_HEADER + contacts) }),
    ];
    expect(imported.map((report) => report.applied)).toEqual([true, true]);
  }

  beforeAll(async () => {
    db = await openTestPostgres();
    smtp = await startSmtp();
  });
  afterAll(async () => {
    await smtp?.close();
    await db?.close();
  });

  it('when an N code is still on the register after 5 school days, then a task asks for the reason; a newer N does not', async () => {
    await school('n-codes', WCA, `${UPN1},Sam,Taylor,2011-05-01,9\n${UPN2},Ali,Khan,2011-06-01,9\n`);
    await importRegister(db.store, 'n-codes', UPN1, calendar, '2024-09-03', '2024-10-14', { '2024-10-04 AM': 'N', '2024-10-04 PM': 'N' });
    await importRegister(db.store, 'n-codes', UPN2, calendar, '2024-09-03', '2024-10-14', { '2024-10-08 AM': 'N' });
    await evaluate('n-codes', '2024-10-14');
    const tasks = await db.store.listTasks({ schoolIds: ['n-codes'], status: 'open' });
    expect(tasks.filter((t) => t.kind === 'register-chores')).toEqual([
      expect.objectContaining({ id: 'chores:register:n-codes:2024-10-14', dueDate: '2024-10-14', title: expect.stringMatching(/^Register: one pupil has .* for Sam Taylor \(2 sessions from Friday 4 October 2024 morning\)$/) }),
    ]);
  });

  it('when a parent with parental responsibility has no usable email, then a contact task is raised before any letter is sent', async () => {
    await school('contacts', WCA, undefined, `${UPN1},Jo Taylor,mother,jo@example.org,,yes,yes\n${UPN1},Chris Taylor,father,,,yes,no\n`);
    await importRegister(db.store, 'contacts', UPN1, calendar, '2024-09-03', '2024-10-11', CONCERN);
    await evaluate('contacts', '2024-10-14');
    const caseId = (await db.store.findOpenCase('contacts', UPN1))!.id;
    expect(await db.store.listMessages({ caseId })).toEqual([]);
    expect((await db.store.listTasks({ caseId })).filter((t) => t.kind === 'contact-details')).toEqual([expect.objectContaining({ title: expect.stringContaining('no usable email or postal address for Chris Taylor (father), so no letter is made for them') })]);
  });

  it('when no contact has parental responsibility, then a task says no letter can be addressed', async () => {
    await school('no-pr', WCA, undefined, `${UPN1},Nan Taylor,grandparent,nan@example.org,,no,yes\n`);
    await importRegister(db.store, 'no-pr', UPN1, calendar, '2024-09-03', '2024-10-11', CONCERN);
    await evaluate('no-pr', '2024-10-14');
    const caseId = (await db.store.findOpenCase('no-pr', UPN1))!.id;
    expect(await db.store.getTask(`hygiene:no-parental-responsibility:${caseId}`)).toMatchObject({ status: 'open', kind: 'contact-details' });
  });

  it('when parents are separated, then each with parental responsibility gets their own letter, and a contact without it gets none', async () => {
    await school('separated', WCA, undefined, `${UPN1},Jo Taylor,mother,jo@separated.example.org,,yes,yes\n${UPN1},Chris Okafor,father,chris@separated.example.org,,yes,no\n${UPN1},Nan Taylor,grandparent,nan@separated.example.org,,no,yes\n`);
    await importRegister(db.store, 'separated', UPN1, calendar, '2024-09-03', '2024-10-11', CONCERN);
    await evaluate('separated', '2024-10-14');
    const mailer = createMailer({ SMTP_URL: smtp.url, SMTP_REQUIRE_TLS: false, DATA_DIR: await mkdtemp(join(tmpdir(), 'hygiene-')) });
    const handlers = { ...coreEffectHandlers({ store: db.store, clock, logger }), ...createMailEffectHandlers({ store: db.store, clock, logger, mailer, evidenceLinks: testEvidenceLinks() }) };
    await createOutboxDispatcher({ store: db.store, clock: { now: () => new Date() }, logger, handlers }).drain();
    const caseId = (await db.store.findOpenCase('separated', UPN1))!.id;
    const letters = (await db.store.listMessages({ caseId })).filter((m) => m.kind === 'letter');
    expect(letters.map((m) => [m.recipientName, m.recipientEmail]).sort()).toEqual([['Chris Okafor', 'chris@separated.example.org'], ['Jo Taylor', 'jo@separated.example.org']]);
    const received = smtp.received.filter((r) => r.to.some((to) => to.endsWith('@separated.example.org')));
    expect(received.map((r) => r.to).sort()).toEqual([['chris@separated.example.org'], ['jo@separated.example.org']]);
  });

  it('when a pupil is marked off roll, then the case closes, its timers go and its unsent letters are cancelled', async () => {
    await school('left', WCA);
    await importRegister(db.store, 'left', UPN1, calendar, '2024-09-03', '2024-10-11', CONCERN);
    await evaluate('left', '2024-10-14');
    const caseId = (await db.store.findOpenCase('left', UPN1))!.id;
    expect((await db.store.listEffects({ caseId, status: 'pending' })).map((e) => e.kind)).toContain('sendLetter');
    await importPupils(db.store, { schoolId: 'left', actor: 'test', reason: 'left', at: new Date(), source: csv(`upn,forename,surname,date_of_birth,year_group,on_roll\n${UPN1},Sam,Taylor,2011-05-01,9,no\n`) });
    await importRegister(db.store, 'left', UPN1, calendar, '2024-10-14', '2024-10-14');
    await evaluate('left', '2024-10-15');
    expect(await db.store.getCase(caseId)).toMatchObject({ status: 'closed' });
    expect(await db.store.listTimers(caseId)).toEqual([]);
    expect((await db.store.listEffects({ caseId })).filter((e) => e.kind === 'sendLetter').map((e) => e.status)).toEqual(['cancelled']);
  });

  it('when illness reaches 15 school days, then the illness return is a task with a due date, and its completion goes on the timeline', async () => {
    await school('sick', WCA);
    const ill = Object.fromEntries(calendar.schoolDays('2024-09-16', '2024-10-04').flatMap((d) => [[`${d} AM`, 'I'], [`${d} PM`, 'I']]));
    await importRegister(db.store, 'sick', UPN1, calendar, '2024-09-03', '2024-10-11', ill);
    await evaluate('sick', '2024-10-14');
    await importRegister(db.store, 'sick', UPN1, calendar, '2024-10-14', '2024-10-14');
    await evaluate('sick', '2024-10-15');
    const caseId = (await db.store.findOpenCase('sick', UPN1))!.id;
    const [task] = (await db.store.listTasks({ caseId })).filter((t) => t.kind === 'sickness-return');
    expect(task).toMatchObject({ status: 'open', dueDate: calendar.addSchoolDays('2024-10-15', 5) });
    await completeTask(db.store, task!.id, 'u-champion', new Date(), 'Return sent to Coventry LA');
    expect((await db.store.listTimeline(caseId)).at(-1)).toMatchObject({ actor: 'u-champion', type: 'task.done', evidence: { kind: 'sickness-return', note: 'Return sent to Coventry LA' } });
  });

  it('when a DSAT pupil is absent 10 school days with no contact from the family, then the child-missing-education referral is a task due that day', async () => {
    const dsat = { workflowId: 'dsat', localAuthority: 'wiltshire' };
    const dsatCalendar = calendarFor(getWorkflow(dsat.workflowId), dsat.localAuthority);
    await school('cme', dsat);
    const missing = Object.fromEntries(dsatCalendar.schoolDays('2024-09-30', '2024-10-11').flatMap((d) => [[`${d} AM`, 'N'], [`${d} PM`, 'N']]));
    await importRegister(db.store, 'cme', UPN1, dsatCalendar, '2024-09-04', '2024-10-11', missing);
    await evaluate('cme', '2024-10-14');
    await importRegister(db.store, 'cme', UPN1, dsatCalendar, '2024-10-14', '2024-10-15', { '2024-10-14 AM': 'N', '2024-10-14 PM': 'N', '2024-10-15 AM': 'N', '2024-10-15 PM': 'N' });
    await evaluate('cme', '2024-10-15');
    const caseId = (await db.store.findOpenCase('cme', UPN1))!.id;
    expect((await db.store.listTasks({ caseId })).filter((t) => t.kind === 'child-missing-education')).toEqual([expect.objectContaining({ dueDate: '2024-10-15', status: 'open' })]);
  });
});
