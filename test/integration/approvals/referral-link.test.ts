import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import request from 'supertest';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorld, SCHOOLS, type World } from '../api/world.ts';
import { importRegister } from '../../support/register.ts';
import { testEvidenceLinks } from '../../support/evidence-links.ts';
import { considered, evidence } from '../../unit/machines/support.ts';
import { createCaseService } from '../../../src/cases/case-service.ts';
import { calendarFor, getWorkflow } from '../../../workflows/index.ts';
import { createLogger } from '../../../src/logger.ts';
import { createOutboxDispatcher, type OutboxDispatcher } from '../../../src/jobs/outbox-dispatcher.ts';
import { createMailEffectHandlers, createMailer } from '../../../src/mail/index.ts';
import { startSmtp } from '../../support/smtp.ts';

const logger = createLogger('silent');
const LA = 'attendance@coventry.example.org';

describe('a legal step’s email to the LA carries a signed link to the evidence pack', () => {
  let world: World;
  let server: Server;
  let base: string;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let outbox: OutboxDispatcher;
  const caseId = () => world.caseIds.s1;

  beforeAll(async () => {
    world = await createWorld();
    smtp = await startSmtp();
    const { store } = world.db;
    const { upn, ...school } = SCHOOLS.s1;
    await store.upsertSchool({ ...school, notifyEmails: { la: LA } });
    const absent = Object.fromEntries(['2024-10-01', '2024-10-02', '2024-10-03', '2024-10-07', '2024-10-08'].flatMap((d) => [[`${d} AM`, 'O'], [`${d} PM`, 'G']]));
    await importRegister(store, 's1', upn, calendarFor(getWorkflow(SCHOOLS.s1.workflowId), SCHOOLS.s1.localAuthority), '2024-09-03', '2024-10-11', absent);
    const cases = createCaseService({ store, clock: world.clock, logger });
    await cases.send(caseId(), { type: 'THRESHOLD_MET', at: '2024-10-14', evidence: evidence(86) }, { actor: 'system:evaluator' });
    await cases.send(caseId(), considered('2024-10-15', 'noticeToImprove'), { actor: 'u-champion' });
    server = await new Promise<Server>((resolve) => {
      const listening = world.app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const mailer = createMailer({ SMTP_URL: smtp.url, SMTP_REQUIRE_TLS: false, DATA_DIR: await mkdtemp(join(tmpdir(), 'referral-link-')) });
    const handlers = createMailEffectHandlers({ store, clock: world.clock, logger, mailer, evidenceLinks: testEvidenceLinks(base), now: () => world.wall.now() });
    outbox = createOutboxDispatcher({ store, clock: { now: () => new Date() }, logger, handlers });
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await smtp?.close();
    await world?.close();
  });

  it('when the champion approves the Notice to Improve request and it is sent, then the email links to the pack instead of carrying the register, and the link opens the PDF until it expires', async () => {
    const [held] = (await world.db.store.listEffects({ caseId: caseId(), status: 'held' })).filter((e) => (e.payload as { template: string }).template === 'west-coventry/notice-to-improve-request');
    expect(held).toBeDefined();
    const agent = await world.login('champion');
    const approved = await request(world.app).post(`/api/approvals/${encodeURIComponent(held!.id)}/decision`).set('Cookie', agent.cookie).set('X-CSRF-Token', agent.csrf).send({ decision: 'approve' });
    expect(approved.status).toBe(200);
    await outbox.drain();

    const [email, ...others] = smtp.received.filter((r) => r.to.includes(LA));
    expect(others).toEqual([]);
    const text = email!.mail.text ?? '';
    expect(email!.mail.subject).toContain('Notice to Improve');
    expect(text).not.toContain(SCHOOLS.s1.upn);
    expect(text).not.toMatch(/unauthorised sessions/i);
    const link = /(http:\/\/127\.0\.0\.1:\d+\/api\/evidence-links\/\S+?sig=[\w-]+)/.exec(text)?.[1];
    expect(link, text).toBeDefined();
    expect(email!.mail.html).toContain(`href="${link!.replace(/&/g, '&amp;')}"`);

    const opened = await fetch(link!);
    expect(opened.status).toBe(200);
    expect(opened.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await opened.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');

    world.wall.set(new Date(world.wall.now().getTime() + 7 * 86_400_000 + 60_000));
    expect((await fetch(link!)).status).toBe(410);
  });
});
