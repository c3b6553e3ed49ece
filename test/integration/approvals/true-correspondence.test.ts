// What the service says to families and professionals comes from what happened: the date a
// letter cites is the day the earlier letter went, a message written while a letter waits for
// approval says "we are writing", and a letter whose stage has passed is withdrawn, not sent late.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestPostgres } from '../../support/postgres.ts';
import { importRegister, schoolWithPupil } from '../../support/register.ts';
import { evidence } from '../../unit/machines/support.ts';
import { pdfText } from '../../support/pdf.ts';
import { ManualClock } from '../../../src/clock.ts';
import { createLogger } from '../../../src/logger.ts';
import { createCaseService, type CaseService } from '../../../src/cases/case-service.ts';
import { calendarFor, getWorkflow } from '../../../workflows/index.ts';
import { createOutboxDispatcher, type OutboxDispatcher } from '../../../src/jobs/outbox-dispatcher.ts';
import { coreEffectHandlers } from '../../../src/jobs/effect-handlers.ts';
import { testEvidenceLinks } from '../../support/evidence-links.ts';
import { createMailEffectHandlers, createMailer } from '../../../src/mail/index.ts';
import { decideApproval } from '../../../src/approvals/approvals.ts';
import { listWithdrawnLetters } from '../../../src/approvals/waiting.ts';
import { accessFor } from '../../../src/access/scope.ts';
import { caseDetail } from '../../../src/http/api/cases/case-view.ts';
import type { OpenedPostgres } from '../../../src/store/postgres/open.ts';
import { startSmtp } from '../../support/smtp.ts';

const logger = createLogger('silent');
const SCHOOL = { id: 'wca-true', workflowId: 'west-coventry', localAuthority: 'coventry' };
const UPN = 'A331400112019';
const calendar = calendarFor(getWorkflow(SCHOOL.workflowId), SCHOOL.localAuthority);
const pastoral = { id: 'user:pastoral', role: 'pastoral' as const };
const ADMIN = { id: 'u-admin', email: 'a@example.org', name: 'Admin', role: 'admin' as const, schoolId: null, trustId: null, localAuthority: null, passwordHash: null, active: true, createdAt: new Date() };

describe('correspondence that tells the truth', () => {
  let db: OpenedPostgres;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let cases: CaseService;
  let outbox: OutboxDispatcher;
  let caseId: string;
  const clock = new ManualClock(new Date('2024-10-14T08:00:00Z'));
  const effect = async (template: string) => (await db.store.listEffects({ caseId })).find((e) => (e.payload as { template?: string }).template === template)!;
  const review = async (at: string, pct: number) => {
    const timer = (await db.store.getTimer(caseId, 'review'))!;
    await cases.send(caseId, { type: 'REVIEW_DUE', at, timerId: (timer.event as { timerId: string }).timerId, evidence: evidence(pct, -1) }, { actor: 'system:timer' });
  };

  beforeAll(async () => {
    db = await openTestPostgres();
    smtp = await startSmtp();
    cases = createCaseService({ store: db.store, clock, logger });
    await schoolWithPupil(db.store, SCHOOL, UPN);
    await db.store.upsertSchool({ ...SCHOOL, trustId: `trust-${SCHOOL.id}`, name: 'West Coventry Academy', notifyEmails: { la: 'attendance@coventry.example.org', ewo: 'csaws@example.org' } });
    await importRegister(db.store, SCHOOL.id, UPN, calendar, '2024-09-03', '2024-10-11', { '2024-10-07 AM': 'O', '2024-10-07 PM': 'O', '2024-10-08 AM': 'O', '2024-10-08 PM': 'O' });
    const mailer = createMailer({ SMTP_URL: smtp.url, SMTP_REQUIRE_TLS: false, DATA_DIR: await mkdtemp(join(tmpdir(), 'true-correspondence-')) });
    const handlers = { ...coreEffectHandlers({ store: db.store, clock, logger }), ...createMailEffectHandlers({ store: db.store, clock, logger, mailer, evidenceLinks: testEvidenceLinks() }) };
    outbox = createOutboxDispatcher({ store: db.store, clock: { now: () => new Date() }, logger, handlers });
  });
  afterAll(async () => {
    await smtp?.close();
    await db?.close();
  });

  it('when Letter B is approved days after its stage began, then it cites the day Letter A went, and the case page’s last letter is the one sent', async () => {
    caseId = (await cases.open(SCHOOL.id, UPN, { type: 'OPEN', at: '2024-10-14', evidence: evidence(93.1) }, 'system:evaluator')).case.id;
    await outbox.drain();
    // The review on Monday 18 November moves the case to Stage 1b; Letter B waits until Wednesday.
    clock.set(new Date('2024-11-18T17:00:00Z'));
    await review('2024-11-18', 90.6);
    expect((await effect('west-coventry/letter-b')).status).toBe('held');
    clock.set(new Date('2024-11-20T09:00:00Z'));
    smtp.received.length = 0;
    await decideApproval({ store: db.store, clock }, await effect('west-coventry/letter-b'), { decision: 'approve' }, pastoral);
    await outbox.drain();
    const letterB = smtp.received.find((r) => r.to.includes('jo@example.org'))!.mail;
    expect(letterB.text).toContain('Following our Attendance Letter A of Monday 14 October 2024');
    expect(letterB.text).not.toContain('18 November');
    const detail = await caseDetail({ store: db.store, cases, clock, logger, demoClock: null }, await accessFor(db.store, ADMIN), (await db.store.getCase(caseId))!);
    expect(detail.lastLetter).toMatchObject({ template: 'west-coventry/letter-b', sentOn: '2024-11-20' });
  });

  it('when Letter C waits for approval, then the EWO’s referral says the school is writing to the family, not that it has', async () => {
    await cases.send(caseId, { type: 'PARENT_DID_NOT_ATTEND', at: '2024-11-28' }, { actor: 'user:pastoral' });
    expect((await effect('west-coventry/letter-c')).status).toBe('held');
    await outbox.drain();
    const [referral] = await db.store.listMessages({ effectId: (await effect('west-coventry/csaws-referral')).id });
    const text = (await pdfText(referral!.pdf!)).replace(/\s+/g, ' ');
    expect(text).toContain('we are writing to the family with Attendance Letter C');
    expect(text).not.toMatch(/has been sent Attendance Letter C|was sent Attendance Letter C/);
  });

  it('when the case moves on to another stage while Letter C still waits, then the letter is withdrawn, never sent, and the approvals page lists it as withdrawn', async () => {
    clock.set(new Date('2024-12-30T17:00:00Z'));
    await review('2025-01-06', 84);
    const letterC = await effect('west-coventry/letter-c');
    expect(letterC).toMatchObject({ status: 'cancelled', lastError: expect.stringContaining('withdrawn unsent: the case moved on to another stage') });
    smtp.received.length = 0;
    await outbox.drain();
    expect(await db.store.listMessages({ effectId: letterC.id })).toEqual([]);
    const withdrawn = await listWithdrawnLetters(db.store, await accessFor(db.store, ADMIN), [SCHOOL.id], clock.now());
    expect(withdrawn).toEqual([expect.objectContaining({ id: letterC.id, caseId, upn: UPN })]);
  });
});
