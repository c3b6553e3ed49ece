import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestPostgres } from '../../support/postgres.ts';
import { importRegister, schoolWithPupil } from '../../support/register.ts';
import { considered, evidence } from '../../unit/machines/support.ts';
import { ManualClock } from '../../../src/clock.ts';
import { createLogger } from '../../../src/logger.ts';
import { createCaseService, type CaseService } from '../../../src/cases/case-service.ts';
import { calendarFor, getWorkflow } from '../../../workflows/index.ts';
import { createOutboxDispatcher, type OutboxDispatcher } from '../../../src/jobs/outbox-dispatcher.ts';
import { coreEffectHandlers } from '../../../src/jobs/effect-handlers.ts';
import { testEvidenceLinks } from '../../support/evidence-links.ts';
import { createMailEffectHandlers, createMailer } from '../../../src/mail/index.ts';
import { CHAMPION_ASSIGNEE, decideApproval, previewEffect, raiseOverdueApprovals } from '../../../src/approvals/approvals.ts';
import type { OpenedPostgres } from '../../../src/store/postgres/open.ts';
import type { OutboxEffect } from '../../../src/store/types.ts';
import { startSmtp } from '../../support/smtp.ts';

const logger = createLogger('silent');
const SCHOOL = { id: 'wca-gate', workflowId: 'west-coventry', localAuthority: 'coventry' };
const UPN = 'A331400112009';
const calendar = calendarFor(getWorkflow(SCHOOL.workflowId), SCHOOL.localAuthority);
const pastoral = { id: 'user:pastoral', role: 'pastoral' as const };
const champion = { id: 'user:champion', role: 'champion' as const };

describe('the approval gate: letters and legal steps wait for a person', () => {
  let db: OpenedPostgres;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let cases: CaseService;
  let outbox: OutboxDispatcher;
  let caseId: string;
  const clock = new ManualClock(new Date('2024-10-14T08:00:00Z'));
  const effectsOf = async (template: string) => (await db.store.listEffects({ caseId })).filter((e) => (e.payload as { template?: string }).template === template);
  const only = async (template: string): Promise<OutboxEffect> => {
    const [effect, ...more] = await effectsOf(template);
    expect(more).toEqual([]);
    return effect!;
  };
  const sentSubjects = () => smtp.received.map((r) => `${r.to.join(',')}: ${r.mail.subject ?? ''}`);

  beforeAll(async () => {
    db = await openTestPostgres();
    smtp = await startSmtp();
    cases = createCaseService({ store: db.store, clock, logger });
    await schoolWithPupil(db.store, SCHOOL, UPN);
    await db.store.upsertSchool({ ...SCHOOL, trustId: `trust-${SCHOOL.id}`, name: 'West Coventry Academy', notifyEmails: { la: 'attendance@coventry.example.org', ewo: 'csaws@example.org' } });
    await importRegister(db.store, SCHOOL.id, UPN, calendar, '2024-09-03', '2024-10-11', { '2024-10-07 AM': 'O', '2024-10-07 PM': 'O', '2024-10-08 AM': 'O', '2024-10-08 PM': 'O' });
    const mailer = createMailer({ SMTP_URL: smtp.url, SMTP_REQUIRE_TLS: false, DATA_DIR: await mkdtemp(join(tmpdir(), 'approvals-')) });
    const handlers = { ...coreEffectHandlers({ store: db.store, clock, logger }), ...createMailEffectHandlers({ store: db.store, clock, logger, mailer, evidenceLinks: testEvidenceLinks() }) };
    outbox = createOutboxDispatcher({ store: db.store, clock: { now: () => new Date() }, logger, handlers });
  });
  afterAll(async () => {
    await smtp?.close();
    await db?.close();
  });

  it('when a case opens with a letter the workflow marks auto-send, then it is sent without approval', async () => {
    caseId = (await cases.open(SCHOOL.id, UPN, { type: 'OPEN', at: '2024-10-14', evidence: evidence(93.1) }, 'system:evaluator')).case.id;
    expect(await only('west-coventry/letter-a')).toMatchObject({ status: 'pending', approval: null });
    await outbox.drain();
    expect(sentSubjects()).toHaveLength(2);
    expect(await only('west-coventry/letter-a')).toMatchObject({ status: 'done' });
  });

  it('when the review escalates to Letter B, then the letter is held with its evidence, nothing is sent, and the review timer still runs', async () => {
    smtp.received.length = 0;
    const review = (await db.store.getTimer(caseId, 'review'))!;
    await cases.send(caseId, { type: 'REVIEW_DUE', at: '2024-11-18', timerId: (review.event as { timerId: string }).timerId, evidence: evidence(90.6, -2.5) }, { actor: 'system:timer' });
    const letterB = await only('west-coventry/letter-b');
    expect(letterB).toMatchObject({ status: 'held', approval: { requires: 'staff', evidence: { event: 'REVIEW_DUE', attendancePct: 90.6, change: { delta: -2.5 } } } });
    expect(await outbox.drain()).toMatchObject({ claimed: expect.any(Number) });
    expect(sentSubjects()).toEqual([]);
    expect((await only('west-coventry/letter-b')).status).toBe('held');
    expect(await db.store.getTimer(caseId, 'review')).not.toBeNull();
  });

  it('when a held letter is overdue, then the nightly sweep raises one task for the senior attendance champion', async () => {
    const letterB = await only('west-coventry/letter-b');
    expect(await raiseOverdueApprovals(db.store, SCHOOL.id, '2024-10-15', clock.now())).toBe(0);
    expect(await raiseOverdueApprovals(db.store, SCHOOL.id, '2024-10-25', clock.now())).toBe(1);
    expect(await raiseOverdueApprovals(db.store, SCHOOL.id, '2024-10-28', clock.now())).toBe(0);
    expect(await db.store.listTasks({ caseId, status: 'open' })).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: `approval-overdue:${letterB.id}`, kind: 'approval-overdue', assignee: CHAMPION_ASSIGNEE })]),
    );
  });

  it('when Letter B is approved with one parent’s letter edited, then that parent gets the edit, the other the original, and the edit is kept beside it', async () => {
    clock.set(new Date('2024-11-18T09:00:00Z'));
    const letterB = await only('west-coventry/letter-b');
    const [mother, father] = await previewEffect(db.store, letterB, '2024-11-18');
    expect(mother!.recipient.name).toBe('Jo Taylor');
    await decideApproval({ store: db.store, clock }, letterB, { decision: 'approve', edits: [{ recipient: mother!.recipient.key, subject: 'About Sam’s attendance (edited)', text: 'Dear Jo,\n\nWe spoke on the phone today. This is the edited letter.' }] }, pastoral);
    await outbox.drain();
    const byTo = new Map(smtp.received.map((r) => [r.to[0], r.mail]));
    expect(byTo.get('jo@example.org')).toMatchObject({ subject: 'About Sam’s attendance (edited)', text: expect.stringContaining('This is the edited letter.') });
    expect(byTo.get('chris@example.org')?.subject).toBe(father!.subject);
    expect(byTo.get('chris@example.org')?.text).not.toContain('edited letter');
    const stored = (await db.store.getEffect(letterB.id))!;
    expect(stored).toMatchObject({ status: 'done', approval: { edits: [{ recipient: mother!.recipient.key, original: { subject: mother!.subject, text: mother!.text } }] } });
    expect((await db.store.listTimeline(caseId)).at(-1)).toMatchObject({ actor: 'user:pastoral', type: 'approval.approve', evidence: { edited: true } });
    expect(await db.store.getTask(`approval-overdue:${letterB.id}`)).toMatchObject({ status: 'done', completedBy: 'user:pastoral' });
  });

  it('when Letter C is rejected with a reason, then it never sends, and the timeline names who and why', async () => {
    smtp.received.length = 0;
    await cases.send(caseId, { type: 'PARENT_DID_NOT_ATTEND', at: '2024-11-28' }, { actor: 'user:pastoral' });
    const letterC = await only('west-coventry/letter-c');
    expect(letterC.status).toBe('held');
    await decideApproval({ store: db.store, clock }, letterC, { decision: 'reject', reason: 'Mother rang: the meeting is rearranged' }, pastoral);
    await expect(decideApproval({ store: db.store, clock }, (await only('west-coventry/letter-c')), { decision: 'approve' }, pastoral)).rejects.toMatchObject({ status: 409 });
    await outbox.drain();
    expect(smtp.received.flatMap((r) => r.to)).not.toContain('jo@example.org');
    expect((await only('west-coventry/letter-c')).status).toBe('rejected');
    expect(await db.store.listMessages({ effectId: letterC.id })).toEqual([]);
    expect((await db.store.listTimeline(caseId)).find((t) => t.type === 'approval.reject')).toMatchObject({ actor: 'user:pastoral', evidence: { reason: 'Mother rang: the meeting is rearranged' } });
  });

  it('when a Notice to Improve is requested, then only the senior attendance champion may approve it, and then it goes to the LA', async () => {
    smtp.received.length = 0;
    await cases.send(caseId, { type: 'THRESHOLD_MET', at: '2024-12-02', evidence: evidence(85) }, { actor: 'system:evaluator' });
    await cases.send(caseId, considered('2024-12-03', 'noticeToImprove'), { actor: 'user:champion' });
    const request = await only('west-coventry/notice-to-improve-request');
    expect(request).toMatchObject({ kind: 'notify', status: 'held', approval: { requires: 'champion', reason: 'Notice to Improve request' } });
    await outbox.drain();
    expect(smtp.received).toEqual([]);
    await expect(decideApproval({ store: db.store, clock }, request, { decision: 'approve' }, pastoral)).rejects.toMatchObject({ status: 403 });
    await decideApproval({ store: db.store, clock }, request, { decision: 'approve' }, champion);
    await outbox.drain();
    expect(smtp.received.map((r) => r.to)).toEqual([['attendance@coventry.example.org']]);
  });

  it('when a penalty notice request is deferred, then it stays held and is not overdue before the date', async () => {
    await cases.send(caseId, { type: 'NTI_ISSUED', at: '2024-12-09' }, { actor: 'user:champion' });
    await cases.send(caseId, { type: 'UNAUTHORISED_ABSENCE', at: '2024-12-10', evidence: evidence(84) }, { actor: 'system:evaluator' });
    const held = await only('west-coventry/penalty-notice-request');
    expect(held).toMatchObject({ status: 'held', approval: { requires: 'champion' } });
    await decideApproval({ store: db.store, clock }, held!, { decision: 'defer', reason: 'After the meeting on Friday', until: '2025-01-31' }, champion);
    expect(await db.store.getEffect(held!.id)).toMatchObject({ status: 'held', approval: { deferredUntil: '2025-01-31' } });
    expect(await raiseOverdueApprovals(db.store, SCHOOL.id, '2025-01-20', clock.now())).toBe(0);
  });

  it('when the pupil leaves the roll, then the case closes and its held and unsent letters are cancelled', async () => {
    await cases.send(caseId, { type: 'PUPIL_LEFT', at: '2024-12-11' }, { actor: 'system:evaluator' });
    expect((await db.store.getCase(caseId))!.status).toBe('closed');
    expect(await db.store.listEffects({ caseId, status: 'held' })).toEqual([]);
    expect(await only('west-coventry/penalty-notice-request')).toMatchObject({ status: 'cancelled', lastError: 'the pupil left the school roll' });
    expect(await db.store.listTimers(caseId)).toEqual([]);
  });
});
