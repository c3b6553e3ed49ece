import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { convert } from 'html-to-text';
import type { Page } from 'playwright-core';
import { pageWords, screenshots, startE2EWorld, VIEWPORTS, type E2EWorld, type Who } from './support/e2e-world.ts';
import { codeWordReport } from '../support/plain-words.ts';
import { pdfText } from '../support/pdf.ts';
import { startSmtp } from '../support/smtp.ts';

// Issue 19 item 10: walk the demo in every role, page by page, and read every page, letter,
// PDF and email for the service's identifiers and numbers no person writes. Every page is also
// photographed at desktop and phone widths (test/e2e/screenshots/), and must fit a phone's width.

describe('the words on every page, PDF and email, in every role', () => {
  let world: E2EWorld;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  /** Every failure of the walk, reported together: the word and the page it was on. */
  const problems: string[] = [];
  const photographed = new Set<string>();

  beforeAll(async () => {
    smtp = await startSmtp();
    world = await startE2EWorld({ SMTP_URL: smtp.url, SMTP_REQUIRE_TLS: 'false' });
    // Three weeks of demo casework: letters made and sent, emails to the EWO, approvals waiting.
    const admin = await world.signIn('admin');
    // Each move lives through every school day of it: minutes on a busy machine.
    admin.setDefaultTimeout(400_000);
    for (const step of ['2w', '1w']) {
      await admin.goto('/outbox');
      await admin.getByLabel('Move the clock forward by').selectOption(step);
      await admin.getByRole('button', { name: 'Move the clock' }).click();
      await admin.getByRole('status').waitFor();
    }
    await admin.context().close();
  }, 600_000);
  afterAll(async () => {
    await world?.close();
    await smtp?.close();
  });

  const store = () => world.service.opened.store;

  /** Opens `path`, reads it, fits it to a phone, and photographs it the first time its kind is seen. */
  async function visit(page: Page, who: Who, path: string, kind: string): Promise<void> {
    const response = await page.goto(path);
    const where = `${who} on ${path} (${response?.status()})`;
    const report = codeWordReport(where, await pageWords(page));
    if (report) problems.push(report);
    await page.setViewportSize({ width: 375, height: 812 });
    const widths = (await page.evaluate('[document.documentElement.scrollWidth, window.innerWidth]')) as [number, number];
    if (widths[0] > widths[1]) problems.push(`${where} is ${widths[0]} px wide on a ${widths[1]} px phone`);
    await page.setViewportSize(VIEWPORTS.desktop);
    if (!photographed.has(kind) && response?.ok()) {
      photographed.add(kind);
      await screenshots(page, `words-${kind}`);
    }
  }

  async function pdf(page: Page, who: Who, path: string): Promise<void> {
    const response = await page.request.get(path);
    expect(response.headers()['content-type'], path).toBe('application/pdf');
    const report = codeWordReport(`${who}: ${path}`, await pdfText(await response.body()));
    if (report) problems.push(report);
  }

  it('when each role walks its pages, then no page says an identifier or an unrounded number, and each fits a phone', async () => {
    // The worker sends on real time, after the clock has moved: wait for a letter, as a person would.
    const sentLetter = async () => (await store().listMessages({ schoolIds: ['west-coventry'] })).find((message) => message.caseId && message.kind === 'letter' && message.pdf);
    await expect.poll(sentLetter, { timeout: 120_000, message: 'three weeks of the demo sent a West Coventry letter' }).toBeDefined();
    const withLetters = await sentLetter();
    const caseId = withLetters!.caseId!;
    const effects = await store().listEffects({ status: 'held', schoolIds: ['west-coventry'] });
    const trustId = (await store().getSchool('west-coventry'))!.trustId;
    const common = ['/', `/cases/${caseId}`, `/cases/${caseId}/timeline`, '/approvals', '/dashboard', '/outbox', '/organisation', '/staff', '/workflows', '/workflows/west-coventry', '/schools/west-coventry/register', '/schools/west-coventry/calendar'];
    const extra: Partial<Record<Who, string[]>> = {
      champion: effects[0] ? [`/approvals/${encodeURIComponent(effects[0].id)}`] : [],
      lead: ['/organisation/schools/west-coventry', '/workflows/kennet'],
      admin: [`/organisation/trusts/${trustId}/schools/new`],
    };
    for (const who of ['pastoral', 'champion', 'ewo', 'lead', 'admin'] as const) {
      const page = await world.signIn(who);
      for (const path of [...common, ...(extra[who] ?? [])]) {
        const kind = path === '/' ? 'queue' : path.replace(/^\//, '').replace(/[0-9a-f]{8}-[0-9a-f-]{27,}|%[0-9A-F]{2}\S*$/g, 'one').replace(/[/]/g, '-');
        await visit(page, who, path, `${kind}-${who}`);
      }
      await page.context().close();
    }
    const page = await world.signIn('champion');
    await pdf(page, 'champion', `/letters/${encodeURIComponent(withLetters!.id)}.pdf`);
    await pdf(page, 'champion', `/api/cases/${caseId}/evidence-pack.pdf`);
    await pdf(page, 'champion', `/cases/${caseId}/timeline.pdf`);
    await page.context().close();
    expect(problems.join('\n')).toBe('');
  }, 900_000);

  it('when the demo emails staff and families, then no email says an identifier or an unrounded number', async () => {
    const toEwo = async () => (await store().listMessages({})).filter((message) => message.recipientRole === 'ewo' && message.status === 'sent').length;
    await expect.poll(toEwo, { timeout: 120_000, message: 'an email reached an EWO' }).toBeGreaterThan(0);
    const reports = smtp.received.map(({ to, mail }) => codeWordReport(`the email "${mail.subject}" to ${to.join(', ')}`, `${mail.subject}\n${mail.text ?? convert(String(mail.html))}`)).filter(Boolean);
    expect([...new Set(reports)].join('\n')).toBe('');
  }, 120_000);
});
