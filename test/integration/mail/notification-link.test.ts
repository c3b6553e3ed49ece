// Issue 17, item 11: what leaves the school. An email to a professional names no pupil and holds
// none of their details; the notification itself (the PDF the school wrote, with its request) is
// behind a signed, expiring link, and every use of that link is audited.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createWorld, SCHOOLS, type World } from '../api/world.ts';
import { testEvidenceLinks } from '../../support/evidence-links.ts';
import { sql } from '../../support/postgres.ts';
import { pdfText } from '../../support/pdf.ts';
import { startSmtp } from '../../support/smtp.ts';
import { createLogger } from '../../../src/logger.ts';
import { createMailEffectHandlers, createMailer, type Mailer } from '../../../src/mail/index.ts';
import { caseReference } from '../../../src/letters/render.ts';
import { signLink } from '../../../src/evidence/signed-link.ts';
import type { OutboxEffect } from '../../../src/store/types.ts';

const EWO = 'ewo@coventry.example.org';
const PUPIL = { forename: 'Marigold', surname: 'Quenby', dateOfBirth: '2011-05-01' };

describe('an email to a professional names no pupil; the notification is behind a signed link', () => {
  let world: World;
  let server: Server;
  let base: string;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let mailer: Mailer;
  const caseId = () => world.caseIds.s1;

  /** Sends one notify effect of the s1 case to the EWO, as the outbox would, and returns the email the EWO received. */
  async function notifyEwo(name: string, template: string, approval: OutboxEffect['approval'] = null) {
    const handlers = createMailEffectHandlers({ store: world.db.store, clock: world.clock, logger: createLogger('silent'), mailer, evidenceLinks: testEvidenceLinks(base), now: () => world.wall.now() });
    const effect: OutboxEffect = { id: `${caseId()}:${name}`, caseId: caseId(), kind: 'notify', payload: { caseId: caseId(), template, to: 'ewo' }, status: 'running', attempts: 0, nextAttemptAt: new Date(), lastError: null, createdAt: new Date(), completedAt: null, approval };
    const before = smtp.received.length;
    await handlers.notify(effect);
    expect(smtp.received).toHaveLength(before + 1);
    const [stored] = (await world.db.store.listMessages({ caseId: caseId() })).filter((m) => m.effectId === effect.id);
    return { mail: smtp.received[before]!.mail, stored: stored! };
  }

  const linkIn = (text: string) => /https?:\/\/\S+\/api\/message-links\/\S+?sig=[\w-]+/.exec(text)?.[0];
  const auditedActions = async () => (await sql<{ action: string }>(world.db.url, "SELECT action FROM audit_log WHERE actor = 'link:notification' ORDER BY seq")).map((row) => row.action);

  beforeAll(async () => {
    world = await createWorld();
    smtp = await startSmtp();
    const { upn, ...school } = SCHOOLS.s1;
    await world.db.store.upsertSchool({ ...school, notifyEmails: { ewo: EWO } });
    await world.db.store.upsertPupils('s1', [{ upn, ...PUPIL, yearGroup: '9', vulnerability: ['ehcp', 'lac', 'cp_plan'], onRoll: true }]);
    server = await new Promise<Server>((resolve) => {
      const listening = world.app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    mailer = createMailer({ SMTP_URL: smtp.url, SMTP_REQUIRE_TLS: false, DATA_DIR: await mkdtemp(join(tmpdir(), 'notification-link-')) });
  });
  afterAll(async () => {
    mailer?.close();
    await new Promise((resolve) => server?.close(resolve));
    await smtp?.close();
    await world?.close();
  });

  it('when the EWO is sent a referral, then the email holds no name, UPN, birth date, flag or attendance, only the school, what it is, the reference and a link', async () => {
    const { mail, stored } = await notifyEwo('referral', 'national/referral');
    expect(mail.to).toMatchObject({ text: EWO });
    expect(mail.attachments).toEqual([]);
    const everything = `${mail.subject}\n${mail.text}\n${String(mail.html)}`;
    for (const personal of [PUPIL.forename, PUPIL.surname, SCHOOLS.s1.upn, '2011', '1 May', 'Year 9', 'Jo Taylor']) expect(everything, `the email holds ${personal}`).not.toContain(personal);
    expect(everything).not.toMatch(/\behcp\b|\blac\b|cp_plan|education, health and care|looked.after|child protection/i);
    expect(everything).not.toMatch(/\d+\.\d%|sessions|unauthorised/i);
    expect(mail.subject).toContain('School One');
    expect(mail.subject).toContain(caseReference(caseId()));
    expect(mail.subject).toMatch(/referral/i);
    expect(mail.text).toContain(`case reference ${caseReference(caseId())}`);
    expect(stored).toMatchObject({ kind: 'notification', subject: mail.subject, status: 'sent' });
    const link = linkIn(mail.text ?? '');
    expect(link, mail.text).toBeDefined();
    expect(mail.html).toContain(`href="${link!.replace(/&/g, '&amp;')}"`);
  });

  it('when the EWO follows the link, then the notification opens as the school wrote it, with the pupil’s details and the request, and the use is audited', async () => {
    const { mail, stored } = await notifyEwo('referral-open', 'national/referral');
    const opened = await fetch(linkIn(mail.text ?? '')!, { headers: { 'User-Agent': 'LA mail client' } });
    expect(opened.status).toBe(200);
    expect(opened.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(await opened.arrayBuffer());
    expect(pdf.equals(stored.pdf!)).toBe(true);
    const text = await pdfText(pdf);
    expect(text).toContain(`${PUPIL.forename} ${PUPIL.surname}`);
    expect(text).toContain(SCHOOLS.s1.upn);
    expect(text).toMatch(/ehcp/);
    expect(text).toContain('We are referring');
    const [entry] = await sql<{ action: string; case_id: string; upn: string; detail: { userAgent: string; template: string } }>(
      world.db.url,
      "SELECT action, case_id, upn, detail FROM audit_log WHERE actor = 'link:notification' ORDER BY seq DESC LIMIT 1",
    );
    expect(entry).toMatchObject({ action: 'notification.link.valid', case_id: caseId(), upn: SCHOOLS.s1.upn, detail: { userAgent: 'LA mail client', template: 'national/referral' } });
  });

  it('when the link is tampered with, borrowed from an evidence-pack signature, or past its expiry, then it is refused, and each try is audited', async () => {
    const { mail, stored } = await notifyEwo('referral-refused', 'national/referral');
    const link = new URL(linkIn(mail.text ?? '')!);
    const before = (await auditedActions()).length;

    const badSig = new URL(link);
    badSig.searchParams.set('sig', `${link.searchParams.get('sig')!.slice(0, -2)}AA`);
    expect((await fetch(badSig)).status).toBe(404);
    const longer = new URL(link);
    longer.searchParams.set('expires', String(Number(link.searchParams.get('expires')) + 86_400_000));
    expect((await fetch(longer)).status).toBe(404);
    const otherMessage = new URL(link.href.replace(encodeURIComponent(stored.id), encodeURIComponent(`${caseId()}:referral/ewo/ewo`)));
    expect((await fetch(otherMessage)).status).toBe(404);
    // The same key signs evidence-pack links: one made for this id under that purpose opens nothing here.
    const evidenceSigned = signLink(Buffer.from('a test secret, not the service’s', 'utf8'), stored.id, world.wall.now());
    expect((await fetch(`${base}/api/message-links/${encodeURIComponent(stored.id)}/notification.pdf?expires=${evidenceSigned.expires}&sig=${evidenceSigned.sig}`)).status).toBe(404);

    world.wall.advance(7 * 86_400_000 + 60_000);
    try {
      const expired = await fetch(link);
      expect(expired.status).toBe(410);
      expect(((await expired.json()) as { error: { message: string } }).error.message).toMatch(/expired/);
    } finally {
      world.wall.advance(-(7 * 86_400_000 + 60_000));
    }
    expect((await auditedActions()).slice(before)).toEqual(['notification.link.forged', 'notification.link.forged', 'notification.link.forged', 'notification.link.forged', 'notification.link.expired']);
  });

  it('when a person approved the notification with their own words naming the pupil, then the subject still names no one, and their words are behind the link', async () => {
    const edit = { recipient: 'ewo', subject: `Referral for ${PUPIL.forename} ${PUPIL.surname}`, text: `Please visit ${PUPIL.forename} at home this week.`, original: { subject: 'x', text: 'x' } };
    const approval = { requires: 'champion' as const, reason: 'referral', evidence: null, heldAt: new Date(), deferredUntil: null, edits: [edit], decisions: [] };
    const { mail, stored } = await notifyEwo('referral-edited', 'national/referral', approval);
    expect(mail.subject).toBe(`Referral for a pupil (ref ${caseReference(caseId())})`);
    expect(`${mail.subject}\n${mail.text}\n${String(mail.html)}`).not.toMatch(new RegExp(`${PUPIL.forename}|${PUPIL.surname}`));
    expect(await pdfText(stored.pdf!)).toContain(`Please visit ${PUPIL.forename} at home this week.`);
  });

  it('when the champion withdraws the case’s links, then the notification link no longer opens either', async () => {
    const { mail } = await notifyEwo('referral-withdrawn', 'national/referral');
    const link = linkIn(mail.text ?? '')!;
    world.wall.advance(1000);
    const champion = await world.login('champion');
    const revoked = await request(world.app).post(`/api/cases/${encodeURIComponent(caseId())}/evidence-links/revoke`).set('Cookie', champion.cookie).set('X-CSRF-Token', champion.csrf);
    expect(revoked.status).toBe(200);
    expect((await fetch(link)).status).toBe(410);
    expect((await auditedActions()).at(-1)).toBe('notification.link.revoked');
  });
});
