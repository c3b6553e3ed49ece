// Tasks a school can work through: one task per thing to do, closed by what does it, and the
// register's chores gathered into one task per school per day.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Readable } from 'node:stream';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestPostgres } from '../../support/postgres.ts';
import { importRegister } from '../../support/register.ts';
import { evidence } from '../../unit/machines/support.ts';
import { ManualClock } from '../../../src/clock.ts';
import { createLogger } from '../../../src/logger.ts';
import { evaluateSchool } from '../../../src/cases/evaluate-school.ts';
import { createCaseService } from '../../../src/cases/case-service.ts';
import { calendarFor, getWorkflow } from '../../../workflows/index.ts';
import { importContacts, importPupils } from '../../../src/register/import-register.ts';
import { createOutboxDispatcher } from '../../../src/jobs/outbox-dispatcher.ts';
import { coreEffectHandlers } from '../../../src/jobs/effect-handlers.ts';
import { testEvidenceLinks } from '../../support/evidence-links.ts';
import { createMailEffectHandlers, createMailer } from '../../../src/mail/index.ts';
import { decideApproval } from '../../../src/approvals/approvals.ts';
import type { OpenedPostgres } from '../../../src/store/postgres/open.ts';
import { startSmtp } from '../../support/smtp.ts';

const logger = createLogger('silent');
const csv = (text: string) => Readable.from([Buffer.from(text)]);
const WCA = { workflowId: 'west-coventry', localAuthority: 'coventry' };
const calendar = calendarFor(getWorkflow(WCA.workflowId), WCA.localAuthority);
const UPNS = ['A331400112201', 'A331400112202', 'A331400112203'];
const CONTACTS_HEADER = 'upn,name,relationship,email,phone,parental_responsibility,lives_with,address_line_1,address_line_2,town,postcode\n';
/** Four unexplained sessions in six weeks: 93.1% at the Monday review, so a case opens with Letter A. */
const CONCERN = { '2024-10-07 AM': 'O', '2024-10-07 PM': 'O', '2024-10-08 AM': 'O', '2024-10-08 PM': 'O' };

describe('tasks a school can work through', () => {
  let db: OpenedPostgres;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const clock = new ManualClock(new Date('2024-10-14T17:00:00Z'));
  const evaluate = (schoolId: string, asOf: string) => evaluateSchool({ store: db.store, clock, logger }, schoolId, asOf);
  const meta = (schoolId: string) => ({ schoolId, actor: 'user:office', reason: 'MIS export', at: new Date() });

  async function school(id: string, pupils: string, contacts: string) {
    await db.store.upsertTrust({ id: 'trust', name: 'Trust' });
    await db.store.upsertSchool({ id, trustId: 'trust', name: `School ${id}`, ...WCA, notifyEmails: { la: 'la@example.org', ewo: 'ewo@example.org' } });
    expect((await importPupils(db.store, { ...meta(id), source: csv(`upn,forename,surname,date_of_birth,year_group,on_roll\n${pupils}`) })).applied).toBe(true);
    expect((await importContacts(db.store, { ...meta(id), source: csv(CONTACTS_HEADER + contacts) })).applied).toBe(true);
  }

  beforeAll(async () => {
    db = await openTestPostgres();
    smtp = await startSmtp();
  });
  afterAll(async () => {
    await smtp?.close();
    await db?.close();
  });

  it('when a parent has no email, then one task is raised however many letters go, and it closes itself when the contacts import gives the email', async () => {
    const id = 'no-email';
    const father = `${UPNS[0]},Chris Taylor,father,,,yes,no,27 Larkspur Road,,Coventry,CV5 6AB\n`;
    await school(id, `${UPNS[0]},Sam,Taylor,2011-05-01,9,yes\n`, `${UPNS[0]},Jo Taylor,mother,jo@example.org,,yes,yes,,,,\n${father}`);
    await importRegister(db.store, id, UPNS[0]!, calendar, '2024-09-03', '2024-10-11', CONCERN);
    await evaluate(id, '2024-10-14');
    const caseId = (await db.store.findOpenCase(id, UPNS[0]!))!.id;
    const mailer = createMailer({ SMTP_URL: smtp.url, SMTP_REQUIRE_TLS: false, DATA_DIR: await mkdtemp(join(tmpdir(), 'chores-')) });
    const handlers = { ...coreEffectHandlers({ store: db.store, clock, logger }), ...createMailEffectHandlers({ store: db.store, clock, logger, mailer, evidenceLinks: testEvidenceLinks() }) };
    const outbox = createOutboxDispatcher({ store: db.store, clock: { now: () => new Date() }, logger, handlers });
    await outbox.drain();

    // Letter B, five weeks on: a second letter posted to the same father.
    const cases = createCaseService({ store: db.store, clock, logger });
    clock.set(new Date('2024-11-18T17:00:00Z'));
    const timer = (await db.store.getTimer(caseId, 'review'))!;
    await cases.send(caseId, { type: 'REVIEW_DUE', at: '2024-11-18', timerId: (timer.event as { timerId: string }).timerId, evidence: evidence(90.6, -1) }, { actor: 'system:timer' });
    const letterB = (await db.store.listEffects({ caseId })).find((e) => (e.payload as { template?: string }).template === 'west-coventry/letter-b')!;
    await decideApproval({ store: db.store, clock }, letterB, { decision: 'approve' }, { id: 'user:pastoral', role: 'pastoral' });
    await outbox.drain();
    await evaluate(id, '2024-11-19');

    const posted = (await db.store.listMessages({ caseId })).filter((m) => m.recipientName === 'Chris Taylor' && m.kind === 'letter');
    expect(posted.map((m) => [m.template, m.status])).toEqual([
      ['west-coventry/letter-a', 'printOnly'],
      ['west-coventry/letter-b', 'printOnly'],
    ]);
    const contactTasks = (await db.store.listTasks({ caseId })).filter((t) => t.kind === 'contact-details');
    expect(contactTasks).toEqual([expect.objectContaining({ status: 'open', title: expect.stringContaining('Sam Taylor: no usable email for Chris Taylor (father)') })]);

    await importContacts(db.store, { ...meta(id), source: csv(CONTACTS_HEADER + `${UPNS[0]},Jo Taylor,mother,jo@example.org,,yes,yes,,,,\n${father.replace('father,,', 'father,chris@example.org,')}`) });
    expect(await db.store.getTask(contactTasks[0]!.id)).toMatchObject({ status: 'done', completedBy: 'user:office', note: expect.stringContaining('contacts import') });
    expect((await db.store.listTimeline(caseId)).at(-1)).toMatchObject({ type: 'task.done', evidence: { kind: 'contact-details' } });
  });

  it('when a contact has neither email nor address, then the import that gives an address closes that task and the evaluation asks only for the email', async () => {
    const id = 'unreachable';
    await school(id, `${UPNS[0]},Sam,Taylor,2011-05-01,9,yes\n`, `${UPNS[0]},Chris Taylor,father,,,yes,yes,,,,\n`);
    await importRegister(db.store, id, UPNS[0]!, calendar, '2024-09-03', '2024-10-11', CONCERN);
    await evaluate(id, '2024-10-14');
    const caseId = (await db.store.findOpenCase(id, UPNS[0]!))!.id;
    const [unreachable] = (await db.store.listTasks({ caseId })).filter((t) => t.kind === 'contact-details');
    expect(unreachable?.title).toContain('no usable email or postal address for Chris Taylor');
    await importContacts(db.store, { ...meta(id), source: csv(CONTACTS_HEADER + `${UPNS[0]},Chris Taylor,father,,,yes,yes,27 Larkspur Road,,Coventry,CV5 6AB\n`) });
    expect(await db.store.getTask(unreachable!.id)).toMatchObject({ status: 'done' });
    await importRegister(db.store, id, UPNS[0]!, calendar, '2024-10-14', '2024-10-14');
    await evaluate(id, '2024-10-15');
    expect((await db.store.listTasks({ caseId, status: 'open' })).filter((t) => t.kind === 'contact-details').map((t) => t.title)).toEqual([expect.stringContaining('letters to them are printed to be posted to CV5 6AB')]);
  });

  it('when many pupils have unresolved N codes, then the school gets one register task a day listing them, and yesterday’s closes', async () => {
    const id = 'n-chores';
    await school(id, UPNS.map((upn, i) => `${upn},Pupil,${['Ash', 'Birch', 'Cedar'][i]},2011-05-01,9,yes\n`).join(''), '');
    for (const upn of UPNS) await importRegister(db.store, id, upn, calendar, '2024-09-03', '2024-10-14', { '2024-10-04 AM': 'N' });
    await evaluate(id, '2024-10-14');
    const day1 = await db.store.listTasks({ schoolIds: [id], status: 'open' });
    expect(day1.map((t) => [t.id, t.kind, t.caseId])).toEqual([['chores:register:n-chores:2024-10-14', 'register-chores', null]]);
    expect(day1[0]!.title).toMatch(/^Register: 3 pupils have sessions still marked N .* for Pupil Ash \(one session from Friday 4 October 2024 morning\); Pupil Birch .*; Pupil Cedar/);

    // The office corrects two of them; the next evening one pupil is left on a new list.
    for (const upn of UPNS.slice(0, 2)) await importRegister(db.store, id, upn, calendar, '2024-10-04', '2024-10-15');
    await importRegister(db.store, id, UPNS[2]!, calendar, '2024-10-15', '2024-10-15');
    await evaluate(id, '2024-10-15');
    expect(await db.store.getTask('chores:register:n-chores:2024-10-14')).toMatchObject({ status: 'cancelled', note: expect.stringContaining('replaced by the register chores of Tuesday 15 October 2024') });
    const day2 = await db.store.listTasks({ schoolIds: [id], status: 'open' });
    expect(day2.map((t) => t.title)).toEqual([expect.stringMatching(/^Register: one pupil has .* for Pupil Cedar \(one session/)]);

    await importRegister(db.store, id, UPNS[2]!, calendar, '2024-10-04', '2024-10-16');
    for (const upn of UPNS.slice(0, 2)) await importRegister(db.store, id, upn, calendar, '2024-10-16', '2024-10-16');
    await evaluate(id, '2024-10-16');
    expect(await db.store.listTasks({ schoolIds: [id], status: 'open' })).toEqual([]);
    expect(await db.store.getTask('chores:register:n-chores:2024-10-15')).toMatchObject({ status: 'done', note: expect.stringContaining('resolved') });
  });
});
