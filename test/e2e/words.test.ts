import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { convert } from 'html-to-text';
import type { Page } from 'playwright-core';
import { pageWords, screenshots, startE2EWorld, VIEWPORTS, type E2EWorld, type Who } from './support/e2e-world.ts';
import { codeWordReport } from '../support/plain-words.ts';
import { pdfText } from '../support/pdf.ts';
import { startSmtp } from '../support/smtp.ts';
import { dateTime } from '../../src/domain/words.ts';

// Issue 19 item 10: walk the demo in every role, page by page, and read every page, letter,
// PDF and email for the service's identifiers and numbers no person writes. Every page is also
// photographed at desktop and phone widths (test/e2e/screenshots/), and must fit a phone's width.

describe('the words on every page, PDF and email, in every role', () => {
  let world: E2EWorld;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  /** Every failure of the walk, reported together: the word and the page it was on. */
  const problems: string[] = [];
  const photographed = new Set<string>();
  /** The days the demo banner named: one demo clock, one day throughout the walk. */
  const banners = new Set<string>();

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
    const before = world.service.clock.now().getTime();
    const response = await page.goto(path);
    const after = world.service.clock.now().getTime();
    const where = `${who} on ${path} (${response?.status()})`;
    const report = codeWordReport(where, await pageWords(page));
    if (report) problems.push(report);
    const banner = page.locator('.demo-banner strong');
    if ((await banner.count()) > 0) {
      // The demo clock runs on from where it was moved: the banner says the time it was when the page was made.
      const said = (await banner.textContent())!.trim();
      const minutes = Array.from({ length: Math.floor((after - before) / 60_000) + 2 }, (_, i) => dateTime(new Date(Math.floor(before / 60_000) * 60_000 + i * 60_000)));
      if (!minutes.includes(said)) problems.push(`${where}: the demo banner says ${said}, the demo clock ${minutes[0]}`);
      banners.add(said.replace(/ at .*/, ''));
    }
    await page.setViewportSize({ width: 375, height: 812 });
    const widths = (await page.evaluate('[document.documentElement.scrollWidth, window.innerWidth]')) as [number, number];
    if (widths[0] > widths[1]) {
      // Name what sticks out (outside any box that scrolls on its own), to find it.
      const wide = await page.evaluate(`[...document.querySelectorAll('main *')].filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1 && !element.closest('.table-scroll, .diagram, pre')).slice(0, 3).map((element) => element.tagName.toLowerCase() + '.' + [...element.classList].join('.') + ' ' + Math.round(element.getBoundingClientRect().right) + 'px').join(', ')`);
      problems.push(`${where} is ${widths[0]} px wide on a ${widths[1]} px phone: ${wide}`);
    }
    await page.setViewportSize(VIEWPORTS.desktop);
    if (!photographed.has(kind) && response?.ok()) {
      photographed.add(kind);
      await screenshots(page, `words-${kind}`);
    }
  }

  async function pdf(page: Page, who: Who, path: string): Promise<void> {
    const response = await page.request.get(path);
    expect(response.headers()['content-type'], path).toBe('application/pdf');
    const report = codeWordReport(`${who}: ${path}`, await pdfText(await response.body()), ['doubled words']);
    if (report) problems.push(report);
  }

  it('when each role walks its pages, then no page says an identifier or an unrounded number, and each fits a phone', async () => {
    // The worker sends on real time, after the clock has moved: wait for a letter, as a person would.
    const sentLetter = async () => (await store().listMessages({ schoolIds: ['west-coventry'] })).find((message) => message.caseId && message.kind === 'letter' && message.pdf);
    await expect.poll(sentLetter, { timeout: 120_000, message: 'three weeks of the demo sent a West Coventry letter' }).toBeDefined();
    const withLetters = await sentLetter();
    const caseId = withLetters!.caseId!;
    // A letter waiting for a person (after three weeks, at a school whose letters wait: West Coventry's go on their own).
    const [held] = (await store().listEffects({ status: 'held' })).filter((effect) => effect.approval?.requires === 'staff');
    expect(held, 'a letter waits for approval').toBeDefined();
    const trustId = (await store().getSchool('west-coventry'))!.trustId;
    const common = ['/', `/cases/${caseId}`, `/cases/${caseId}/timeline`, '/approvals', '/dashboard', '/outbox', '/organisation', '/staff', '/workflows', '/workflows/west-coventry', '/schools/west-coventry/register', '/schools/west-coventry/calendar'];
    const extra: Partial<Record<Who, string[]>> = {
      lead: ['/organisation/schools/west-coventry', '/workflows/kennet'],
      admin: [`/organisation/trusts/${trustId}/schools/new`, `/approvals/${encodeURIComponent(held!.id)}`, `/cases/${held!.caseId}`],
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
    // The same demo clock on every page (it said 12:00 on case pages and 18:08 elsewhere).
    expect([...banners]).toHaveLength(1);
  }, 900_000);

  /** "Monday 1 December 2025 at 09:05" as a calendar date. */
  const dayOf = (said: string) => {
    const [, day, month, year] = /(\d{1,2}) (\w+) (\d{4})/.exec(said)!;
    return new Date(`${day} ${month} ${year} 12:00 UTC`).getTime();
  };

  it('when a case with letters and tasks is read on a phone, then the timeline fits the screen and every entry is dated by the demo clock, never the real date', async () => {
    const [letter] = (await store().listMessages({ schoolIds: ['west-coventry'] })).filter((message) => message.caseId && message.kind === 'letter');
    const page = await world.signIn('pastoral', 'phone');
    await page.goto(`/cases/${letter!.caseId}/timeline`);
    const [scrollWidth, innerWidth] = (await page.evaluate('[document.documentElement.scrollWidth, window.innerWidth]')) as [number, number];
    expect(innerWidth).toBe(375);
    expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
    const today = dayOf((await page.locator('.demo-banner strong').textContent())!);
    const stamps = await page.locator('ol.timeline .when').allTextContents();
    expect(stamps.length).toBeGreaterThan(3);
    const later = stamps.filter((stamp) => dayOf(stamp) > today);
    expect(later, 'entries dated after the demo clock').toEqual([]);
    await page.context().close();
  });

  it('when a case page draws the attendance chart, then no band label is cut off and no two labels overlap', async () => {
    const [letter] = (await store().listMessages({ schoolIds: ['west-coventry'] })).filter((message) => message.caseId && message.kind === 'letter');
    for (const viewport of ['desktop', 'phone'] as const) {
      const page = await world.signIn('pastoral', viewport);
      await page.goto(`/cases/${letter!.caseId}`);
      const boxes = (await page.evaluate(`(() => {
        const svg = document.querySelector('svg.chart');
        const [, , width, height] = svg.getAttribute('viewBox').split(' ').map(Number);
        return { width, height, labels: [...svg.querySelectorAll('text.band-label')].map((text) => { const b = text.getBBox(); return { text: text.textContent, x: b.x, y: b.y, right: b.x + b.width, bottom: b.y + b.height }; }) };
      })()`)) as { width: number; height: number; labels: { text: string; x: number; y: number; right: number; bottom: number }[] };
      expect(boxes.labels.length).toBeGreaterThanOrEqual(2);
      for (const label of boxes.labels) {
        expect(label.right, `"${label.text}" is cut off`).toBeLessThanOrEqual(boxes.width);
        expect(label.bottom, `"${label.text}" is cut off`).toBeLessThanOrEqual(boxes.height);
      }
      for (const [i, a] of boxes.labels.entries()) {
        for (const b of boxes.labels.slice(i + 1)) {
          const overlap = a.x < b.right && b.x < a.right && a.y < b.bottom && b.y < a.bottom;
          expect(overlap, `"${a.text}" overlaps "${b.text}"`).toBe(false);
        }
      }
      await page.context().close();
    }
  });

  it('when each role opens the outbox, then it counts only the letters and emails it lists for them', async () => {
    for (const who of ['pastoral', 'ewo', 'lead'] as const) {
      const page = await world.signIn(who);
      await page.goto('/outbox');
      const heading = (await page.locator('#messages-heading').textContent())!;
      const rows = await page.locator('table.queue tbody tr').count();
      const whole = /^(\d+) made/.exec(heading);
      // One page: the count is the rows shown. More: the count is this school's, for the pastoral lead.
      if (whole) expect(Number(whole[1]), `${who}: ${heading}`).toBe(rows);
      else if (who === 'pastoral') expect(Number(/of (\d+)/.exec(heading)![1])).toBe((await store().listMessages({ schoolIds: ['west-coventry'] })).length);
      await page.context().close();
    }
  });

  it('when the demo emails staff and families, then no email says an identifier or an unrounded number', async () => {
    const toEwo = async () => (await store().listMessages({})).filter((message) => message.recipientRole === 'ewo' && message.status === 'sent').length;
    await expect.poll(toEwo, { timeout: 120_000, message: 'an email reached an EWO' }).toBeGreaterThan(0);
    const reports = smtp.received.map(({ to, mail }) => codeWordReport(`the email "${mail.subject}" to ${to.join(', ')}`, `${mail.subject}\n${mail.text ?? convert(String(mail.html))}`)).filter(Boolean);
    expect([...new Set(reports)].join('\n')).toBe('');
  }, 120_000);
});
