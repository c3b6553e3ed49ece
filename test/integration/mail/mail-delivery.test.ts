import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { openTestPostgres } from '../../support/postgres.ts';
import { startSmtp } from '../../support/smtp.ts';
import { simpleParser } from 'mailparser';
import { ManualClock } from '../../../src/clock.ts';
import { createLogger } from '../../../src/logger.ts';
import { createOutboxDispatcher } from '../../../src/jobs/outbox-dispatcher.ts';
import { testEvidenceLinks } from '../../support/evidence-links.ts';
import { createMailEffectHandlers, createMailer, messageIdFor } from '../../../src/mail/index.ts';
import { CaseRunner } from '../../../src/simulator/case-runner.ts';
import { stateName } from '../../../machines/workflow.ts';
import { calendarFor, getWorkflow } from '../../../workflows/index.ts';
import { persist } from '../../../machines/workflow.ts';
import type { Effect } from '../../../src/domain/case-types.ts';
import type { OpenedPostgres } from '../../../src/store/postgres/open.ts';
import type { PostalAddress, Store } from '../../../src/store/types.ts';
import { ADDRESS_BLOCK, ENVELOPE_WINDOW } from '../../../src/letters/pdf.ts';
import { pdfText, pdfTextBoxes } from '../../support/pdf.ts';

const logger = createLogger('silent');

/**
 * A West Coventry pupil with a term of marks, a mother (email), a father (no email but a postal
 * address, unless the test takes it away; both with parental responsibility), a grandparent (no responsibility) and a social worker, and a case
 * opened through the real workflow: its effects are the outbox rows the case service would write.
 */
const SAMS_ADDRESS: PostalAddress = { lines: ['Flat 4, 27 Larkspur Road', 'Earlsdon'], town: 'Coventry', postcode: 'CV5 6AB' };

async function openedCase(store: Store, at: Date, extraContacts: { name: string; relationship: string; email: string | null }[] = [], samsAddress: PostalAddress | null = SAMS_ADDRESS) {
  const suffix = randomUUID().slice(0, 8);
  const schoolId = `wca-${suffix}`;
  await store.upsertTrust({ id: `atlp-${suffix}`, name: 'ATLP' });
  await store.upsertSchool({
    id: schoolId,
    trustId: `atlp-${suffix}`,
    name: 'West Coventry Academy',
    workflowId: 'west-coventry',
    localAuthority: 'coventry',
    notifyEmails: { ewo: 'csaws@example.org', la: 'attendance@coventry.example.org', office: 'office@wca.example.org' },
  });
  const upn = 'K100000000001';
  await store.upsertPupils(schoolId, [{ upn, forename: 'Tia', surname: 'Okafor', dateOfBirth: '2012-02-03', yearGroup: '8', vulnerability: [], onRoll: true }]);
  const contact = (name: string, relationship: string, email: string | null, parentalResponsibility: boolean) => ({
    upn,
    name,
    relationship,
    email,
    phone: null,
    parentalResponsibility,
    livesWith: parentalResponsibility,
  });
  await store.replaceContacts(schoolId, [
    contact('Grace Okafor', 'mother', 'grace@example.org', true),
    { ...contact('Sam Okafor', 'father', null, true), address: samsAddress },
    contact('Ada Okafor', 'grandparent', 'ada@example.org', false),
    ...extraContacts.map((c) => contact(c.name, c.relationship, c.email, false)),
  ]);
  const workflow = getWorkflow('west-coventry');
  const calendar = calendarFor(workflow, 'coventry');
  const days = calendar.schoolDays('2025-09-01', '2025-10-17');
  const marks = days.flatMap((date, i) =>
    (['AM', 'PM'] as const).map((session, s) => ({ upn, date, session, code: i % 6 === 2 ? 'O' : s === 0 ? '/' : '\\', line: 2 + 2 * i + s })),
  );
  const marksImport = await store.beginMarksImport(schoolId, { actor: 'test', reason: 'fixture', at });
  await marksImport.add(marks);
  await marksImport.commit();

  const caseId = randomUUID();
  const runner = new CaseRunner(workflow, calendar, { caseId, upn, parents: [{ id: 'parent-1', name: 'Grace Okafor' }, { id: 'parent-2', name: 'Sam Okafor' }] });
  const opened = runner.send({ type: 'OPEN', at: '2025-10-17', evidence: { rule: 'opening: below 95%', attendancePct: 83.3 } });
  const escalated = runner.send({ type: 'UNEXPLAINED_ABSENCE', at: '2025-10-17', evidence: { rule: 'unexplained', attendancePct: 83.3 } });
  const effects = [...opened.effects, ...escalated.effects].filter((effect): effect is Extract<Effect, { type: 'sendLetter' | 'notify' }> => effect.type === 'sendLetter' || effect.type === 'notify');
  await store.createCase(
    { id: caseId, schoolId, upn, workflowId: workflow.id, machineId: workflow.id, machineVersion: workflow.version, state: stateName(runner.value), status: 'open', snapshot: persist(workflow, { value: runner.value, context: runner.context } as never), openedAt: at },
    // Due from the test clock's time, which the dispatcher here runs on.
    { timeline: [], effects: effects.map((effect, index) => ({ id: `${caseId}:v1:${index}`, kind: effect.type, payload: effect.params, nextAttemptAt: at })) },
  );
  return { caseId, schoolId, effects };
}

describe('mail delivery from the outbox', () => {
  let db: OpenedPostgres;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let dataDir: string;
  const clock = new ManualClock(new Date('2025-10-20T08:00:00Z'));

  beforeAll(async () => {
    db = await openTestPostgres();
    smtp = await startSmtp();
  });
  afterAll(async () => {
    await smtp?.close();
    await db?.close();
  });
  beforeEach(async () => {
    smtp.received.length = 0;
    smtp.state.failNext = null;
    dataDir = await mkdtemp(join(tmpdir(), 'mail-'));
  });

  function dispatcher(mailer = createMailer({ SMTP_URL: smtp.url, SMTP_REQUIRE_TLS: false, DATA_DIR: dataDir })) {
    const handlers = createMailEffectHandlers({ store: db.store, clock, logger, mailer, evidenceLinks: testEvidenceLinks() });
    return { handlers, outbox: createOutboxDispatcher({ store: db.store, clock, logger, handlers, baseDelayMs: 1000 }) };
  }

  it('when a case opens, then the parent with an email gets Letter A with its PDF, the parent without one gets a printable letter and a task', async () => {
    const { caseId, effects } = await openedCase(db.store, clock.now());
    expect(effects.map((effect) => effect.type)).toEqual(['sendLetter', 'notify']);
    const { outbox } = dispatcher();
    expect(await outbox.drain()).toMatchObject({ done: 1, failed: 1 });

    const letters = smtp.received.filter((m) => m.mail.subject?.startsWith('Attendance Letter A'));
    expect(letters.map((m) => m.to)).toEqual([['grace@example.org']]);
    const letter = letters[0]?.mail;
    expect(letter?.subject).toBe('Attendance Letter A: Tia Okafor');
    expect(letter?.from?.text).toBe('"West Coventry Academy" <office@wca.example.org>');
    const [graces] = await db.store.listMessages({ caseId });
    expect(graces?.id).toMatch(new RegExp(`^${caseId}:v1:0/parent/[0-9a-f]{12}$`));
    expect(letter?.messageId).toBe(messageIdFor(graces?.id ?? ''));
    expect(letter?.text).toContain('Dear Grace Okafor');
    expect(letter?.text).toMatch(/Tia's attendance is currently 8\d\.\d%/);
    expect(letter?.html).toContain('Attendance record: Tia Okafor');
    expect(letter?.attachments.map((a) => [a.contentType, a.content.subarray(0, 5).toString()])).toEqual([['application/pdf', '%PDF-']]);

    const messages = await db.store.listMessages({ caseId });
    expect(messages.filter((m) => m.kind === 'letter').map((m) => [m.recipientName, m.status, m.pdf?.subarray(0, 5).toString()])).toEqual([
      ['Grace Okafor', 'sent', '%PDF-'],
      ['Sam Okafor', 'printOnly', '%PDF-'],
    ]);
    const tasks = await db.store.listTasks({ caseId });
    expect(tasks.map((t) => [t.kind, t.title])).toEqual([
      ['contact-details', expect.stringContaining('no usable email for Sam Okafor (father); letters to them are printed to be posted to CV5 6AB: post them')],
      ['effect-failed', expect.stringContaining('no socialWorker is recorded for this pupil')],
    ]);
    // The unexplained-absence notice had no social worker to go to: failed, on the timeline.
    expect((await db.store.listTimeline(caseId)).map((e) => [e.type, (e.evidence as { kind: string }).kind])).toEqual([['effect.failed', 'notify']]);
  });

  it('when a letter goes by post, then its PDF prints the name and address inside a DL envelope window, and the emailed copy carries the address too', async () => {
    const { caseId } = await openedCase(db.store, clock.now());
    await dispatcher().outbox.drain();
    const letters = (await db.store.listMessages({ caseId })).filter((m) => m.kind === 'letter');
    const posted = letters.find((m) => m.recipientName === 'Sam Okafor');
    expect(posted?.status).toBe('printOnly');
    const boxes = await pdfTextBoxes(posted!.pdf!);
    const lines = ['Sam Okafor', 'Flat 4, 27 Larkspur Road', 'Earlsdon', 'Coventry', 'CV5 6AB'];
    const found = lines.map((line) => boxes.find((box) => box.text === line));
    expect(found.map((box) => box?.text)).toEqual(lines);
    // Every address line lies in the part of the window that shows however the folded sheet slides
    // (50–84 mm down; 20–110 mm across), and nothing else on the page does.
    const MM = 72 / 25.4;
    const visible = { left: ENVELOPE_WINDOW.left, right: ENVELOPE_WINDOW.left + ENVELOPE_WINDOW.width, top: ENVELOPE_WINDOW.top, bottom: 84 * MM };
    const inWindow = (box: { left: number; right: number; top: number; bottom: number }) =>
      box.left >= visible.left && box.right <= visible.right && box.top >= visible.top && box.bottom <= visible.bottom;
    for (const box of found) expect(box && inWindow(box), `${box?.text} at ${JSON.stringify(box)}`).toBe(true);
    for (const box of found) expect(box!.left).toBeCloseTo(ADDRESS_BLOCK.left, 1);
    const overlapsWindow = (box: { left: number; right: number; top: number; bottom: number }) =>
      box.right > ENVELOPE_WINDOW.left && box.left < ENVELOPE_WINDOW.left + ENVELOPE_WINDOW.width && box.bottom > ENVELOPE_WINDOW.top && box.top < ENVELOPE_WINDOW.top + ENVELOPE_WINDOW.height;
    expect(boxes.filter(overlapsWindow).map((box) => box.text).sort()).toEqual([...lines].sort());
    // The letter itself follows below the window.
    expect(boxes.find((box) => box.text.startsWith('Dear Sam Okafor'))!.top).toBeGreaterThan(ENVELOPE_WINDOW.top + ENVELOPE_WINDOW.height);
    const graces = letters.find((m) => m.recipientName === 'Grace Okafor');
    expect(await pdfText(graces!.pdf!)).not.toContain('Larkspur Road');
    expect((await db.store.listTasks({ caseId })).find((t) => t.kind === 'contact-details')?.title).toContain('no usable email for Sam Okafor (father); letters to them are printed to be posted to CV5 6AB: post them');
  });

  it('when a letter must go by post to a parent with no postal address, then no letter is made for them and a contact-details task says no letter is made for them', async () => {
    const { caseId } = await openedCase(db.store, clock.now(), [], null);
    expect(await dispatcher().outbox.drain()).toMatchObject({ done: 1, failed: 1 });
    expect(smtp.received.filter((m) => m.mail.subject?.startsWith('Attendance Letter A')).map((m) => m.to)).toEqual([['grace@example.org']]);
    const letters = (await db.store.listMessages({ caseId })).filter((m) => m.kind === 'letter');
    expect(letters.map((m) => [m.recipientName, m.status])).toEqual([['Grace Okafor', 'sent']]);
    const tasks = (await db.store.listTasks({ caseId })).filter((t) => t.kind === 'contact-details');
    expect(tasks.map((t) => t.title)).toEqual([
      'Tia Okafor: no usable email or postal address for Sam Okafor (father), so no letter is made for them: add their address to their contact details, then write to them with what they missed',
    ]);
    // Run again (a crash, a retry): still one task, still no letter claimed for Sam.
    await dispatcher().handlers.sendLetter((await db.store.getEffect(`${caseId}:v1:0`))!);
    expect((await db.store.listTasks({ caseId })).filter((t) => t.kind === 'contact-details')).toHaveLength(1);
    expect((await db.store.listMessages({ caseId })).filter((m) => m.recipientName === 'Sam Okafor')).toEqual([]);
  });

  it('when the handler runs again after a crash and the dispatcher runs twice, then each recipient still has one message', async () => {
    const { caseId } = await openedCase(db.store, clock.now(), [{ name: 'Jo Mensah', relationship: 'social worker', email: 'jo.mensah@example.org' }]);
    const { handlers, outbox } = dispatcher();
    expect(await outbox.drain()).toMatchObject({ done: 2, failed: 0 });
    // A crash after sending but before completing the effect: the handler runs once more.
    const effect = await db.store.getEffect(`${caseId}:v1:0`);
    await handlers.sendLetter(effect!);
    expect(await outbox.drain()).toMatchObject({ claimed: 0 });
    expect(smtp.received.map((m) => m.to)).toEqual([['grace@example.org'], ['jo.mensah@example.org']]);
    const notice = smtp.received[1]?.mail;
    // To a professional: the case reference, never the child's name, in the subject.
    expect(notice?.subject).toMatch(/^Unexplained absence: a pupil \(ref [0-9A-Z]{8}\)$/);
    expect(notice?.text).toContain('To: Jo Mensah');
  });

  it('when the server fails once for now, then the effect is retried with backoff and one message arrives', async () => {
    const { caseId } = await openedCase(db.store, clock.now());
    smtp.state.failNext = { code: 421, message: 'try again later' };
    const { outbox } = dispatcher();
    expect(await outbox.drain()).toMatchObject({ retried: 1 });
    expect(await db.store.getEffect(`${caseId}:v1:0`)).toMatchObject({ status: 'pending', attempts: 1 });
    expect((await db.store.listMessages({ caseId }))[0]).toMatchObject({ status: 'pending', error: expect.stringContaining('421') });
    expect(smtp.received).toEqual([]);
    clock.advance(1000);
    expect(await outbox.drain()).toMatchObject({ done: 1 });
    expect(smtp.received.map((m) => m.to)).toEqual([['grace@example.org']]);
    expect((await db.store.listMessages({ caseId }))[0]).toMatchObject({ status: 'sent', transport: 'smtp', error: null });
  });

  it('when the server refuses the address for good, then the effect fails on the timeline and a staff task is raised', async () => {
    const { caseId } = await openedCase(db.store, clock.now());
    smtp.state.failNext = { code: 550, message: 'no such user' };
    const { outbox } = dispatcher();
    expect(await outbox.drain()).toMatchObject({ failed: 2 });
    expect(await db.store.getEffect(`${caseId}:v1:0`)).toMatchObject({ status: 'failed', lastError: expect.stringContaining('550') });
    expect((await db.store.listMessages({ caseId })).map((m) => [m.recipientName, m.status])).toEqual([
      ['Grace Okafor', 'failed'],
      ['Sam Okafor', 'printOnly'],
    ]);
    expect((await db.store.listTasks({ caseId })).map((t) => [t.kind, t.title]).sort()).toEqual([
      ['contact-details', expect.stringContaining('Sam Okafor')],
      ['effect-failed', expect.stringContaining('no socialWorker')],
      ['effect-failed', expect.stringContaining('the mail server refused west-coventry/letter-a to Grace Okafor')],
    ]);
  });

  it('when no SMTP_URL is set, then the embedded mailer keeps the message as an .eml file and in the database', async () => {
    const { caseId } = await openedCase(db.store, clock.now());
    const { outbox } = dispatcher(createMailer({ DATA_DIR: dataDir }));
    await outbox.drain();
    expect(smtp.received).toEqual([]);
    const [sent] = (await db.store.listMessages({ caseId })).filter((m) => m.status === 'sent');
    expect(sent).toMatchObject({ transport: 'embedded', recipientEmail: 'grace@example.org' });
    const files = await readdir(join(dataDir, 'mail'));
    expect(files).toHaveLength(1);
    // Personal data on disk: the service's own user only.
    expect((await stat(join(dataDir, 'mail'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(dataDir, 'mail', files[0]!))).mode & 0o777).toBe(0o600);
    const parsed = await simpleParser(Readable.from(await readFile(join(dataDir, 'mail', files[0]!))));
    expect(parsed.messageId).toBe(sent?.messageId);
    expect(parsed.subject).toBe('Attendance Letter A: Tia Okafor');
    expect((await simpleParser(sent!.raw!)).attachments).toHaveLength(1);
  });

  it('when the mail server offers no STARTTLS and the setting is left on, then nothing is sent in clear: the send fails and is kept for a retry', async () => {
    const mailer = createMailer({ SMTP_URL: smtp.url, DATA_DIR: dataDir });
    const before = smtp.received.length;
    await expect(mailer.send({ from: 'school@example.org', to: 'parent@example.org', subject: 'Attendance', text: 'Hello', html: '<p>Hello</p>', attachments: [], messageId: '<tls-test@example.org>' })).rejects.toThrow(/STARTTLS|TLS/i);
    expect(smtp.received.length).toBe(before);
    mailer.close();
  });
});
