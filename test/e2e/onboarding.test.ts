// A real trust sets itself up from an empty store with the demo off, only through the pages: the
// one-time setup link, the trust and two schools on different policies (INSET days, mailboxes),
// two staff invited by email who accept and sign in, the register uploaded as MIS CSV files, and
// the first cases in the pastoral leader's queue with letters addressed to the parents.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { freshDatabaseUrl } from '../support/postgres.ts';
import { startSmtp } from '../support/smtp.ts';
import { pdfText } from '../support/pdf.ts';
import { ManualClock } from '../../src/clock.ts';
import { loadConfig, startService, type Service } from '../../src/main.ts';
import { expectAccessible, screenshots } from './support/e2e-world.ts';

// Monday 24 November 2025, before school: West Coventry reviews on Mondays.
const TODAY = new Date('2025-11-24T08:30:00Z');
const EXAMPLE = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'docs', 'example-trust');

/**
 * The README's example trust's files (docs/example-trust: four pupils, two of them often off ill,
 * one parent with no email), the marks with the column names SIMS exports them under.
 */
async function registerFiles() {
  const read = (name: string) => readFile(path.join(EXAMPLE, name), 'utf8');
  const marks = await read('marks.csv');
  return { pupils: await read('pupils.csv'), contacts: await read('contacts.csv'), marks: marks.replace(/^upn,date,session,code\n/, 'UPN,Date,Session Name,Mark\n') };
}

describe('a trust sets itself up from an empty store, in the browser', () => {
  let service: Service;
  let browser: Browser;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let dataDir: string;
  beforeAll(async () => {
    smtp = await startSmtp();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'attendance-onboarding-'));
    const config = loadConfig({ DATABASE_URL: await freshDatabaseUrl(), DEMO: 'false', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', DATA_DIR: dataDir, ROLE: 'all', SMTP_URL: smtp.url, SMTP_REQUIRE_TLS: 'false' });
    service = await startService(config, { clock: new ManualClock(TODAY) });
    browser = await launchChromium();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    await smtp?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const newPage = async () => (await browser.newContext({ baseURL: service.url!, viewport: { width: 1280, height: 800 } })).newPage();
  /** The link an email holds, opened on this service (the email names PUBLIC_URL). */
  const linkIn = (to: string, pattern: RegExp) => {
    const mail = smtp.received.find((m) => m.to.includes(to));
    return new URL(pattern.exec(mail?.mail.text ?? '')![0]).pathname;
  };
  const acceptInvite = async (email: string, password: string): Promise<Page> => {
    const page = await newPage();
    await page.goto(linkIn(email, /https?:\/\/\S+\/set-password\/[A-Za-z0-9_-]+/));
    await page.getByLabel('New password').fill(password);
    await page.getByLabel('Type it again').fill(password);
    await page.getByRole('button', { name: 'Set my password' }).click();
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((target) => !target.pathname.startsWith('/signin'));
    return page;
  };

  it('when the setup link, the trust, two schools, two staff and the register are all done through the pages, then cases wait in the pastoral leader’s queue with letters to the parents’ addresses', async () => {
    // 1. The one-time setup link the start printed.
    expect(service.setupLink).not.toBeNull();
    const admin = await newPage();
    await admin.goto(new URL(service.setupLink!.url).pathname);
    await admin.getByLabel('Your name').fill('Sam Manager');
    await admin.getByLabel('Your email address').fill('sam.manager@riverside.example.org');
    await admin.getByLabel('Choose a password').fill('three random words');
    await expectAccessible(admin);
    await admin.getByRole('button', { name: 'Create the administrator account' }).click();
    await expect(admin.getByRole('heading', { name: 'Trusts and schools' }).isVisible()).resolves.toBe(true);

    // 2. The trust and two schools on different policies, with their mailboxes.
    await admin.getByLabel('The trust’s name').fill('Riverside Learning Trust');
    await admin.getByRole('button', { name: 'Add the trust' }).click();
    const addSchool = async (school: { name: string; urn: string; dfe: string; phase: string; la: string; policy: string; office: string; ewo: string; la_mailbox: string }) => {
      await admin.goto('/organisation');
      await admin.getByRole('link', { name: 'Add a school to Riverside Learning Trust' }).click();
      await admin.getByLabel('Name', { exact: true }).fill(school.name);
      await admin.getByLabel('URN').fill(school.urn);
      await admin.getByLabel('DfE number (LA establishment number)').fill(school.dfe);
      await admin.getByLabel('Phase').selectOption(school.phase);
      await admin.getByLabel('Local authority', { exact: true }).fill(school.la);
      await admin.getByLabel('Attendance policy').selectOption(school.policy);
      await admin.getByLabel('School office (letters are sent from it, and replies come to it)').fill(school.office);
      await admin.getByLabel('Education welfare officer or attendance service').fill(school.ewo);
      await admin.getByLabel('Local authority attendance team').fill(school.la_mailbox);
      await admin.getByRole('button', { name: 'Add the school' }).click();
      await expect(admin.getByRole('status').textContent()).resolves.toContain('The school is set up.');
      await expectAccessible(admin);
      // An INSET day of the school's own.
      await admin.getByRole('link', { name: 'Term dates, INSET days and closures' }).click();
      await admin.getByLabel('What it is').selectOption('inset');
      await admin.getByLabel('First day').fill('2026-01-05');
      await admin.getByLabel('Description').fill('Training day');
      await admin.getByRole('button', { name: 'Add', exact: true }).click();
      await expect(admin.getByRole('status').textContent()).resolves.toContain('Added to the calendar.');
    };
    await addSchool({ name: 'Riverside Academy', urn: '145001', dfe: '331/4101', phase: 'secondary', la: 'Coventry City Council', policy: 'west-coventry', office: 'office@riverside.example.org', ewo: 'csaws@coventry.example.org', la_mailbox: 'attendance@coventry.example.org' });
    await addSchool({ name: 'Meadow Primary', urn: '145002', dfe: '869/2101', phase: 'primary', la: 'West Berkshire', policy: 'kennet', office: 'office@meadow.example.org', ewo: 'ews@westberks.example.org', la_mailbox: 'eas@westberks.example.org' });
    await admin.goto('/organisation');
    await expect(admin.getByRole('link', { name: 'Riverside Academy' }).isVisible()).resolves.toBe(true);
    await expect(admin.getByRole('link', { name: 'Meadow Primary' }).isVisible()).resolves.toBe(true);
    await screenshots(admin, 'organisation');

    // 3. A pastoral leader and a champion, invited by email; each accepts and signs in.
    for (const [name, email, role] of [
      ['Priya Shah', 'priya.shah@riverside.example.org', 'pastoral'],
      ['Chris Patel', 'chris.patel@riverside.example.org', 'champion'],
    ] as const) {
      await admin.goto('/staff');
      await admin.getByLabel('Name', { exact: true }).fill(name);
      await admin.getByLabel('Email address').fill(email);
      await admin.locator('#role').selectOption(role);
      await admin.locator('#schoolId').selectOption('riverside-academy');
      await admin.getByRole('button', { name: 'Invite' }).click();
      await expect(admin.getByRole('status').textContent()).resolves.toContain('Invitation sent.');
    }
    const champion = await acceptInvite('chris.patel@riverside.example.org', 'kettle orbit meadow');
    await expect(champion.getByText('Chris Patel').first().isVisible()).resolves.toBe(true);
    const pastoral = await acceptInvite('priya.shah@riverside.example.org', 'lantern pebble river');

    // 4. The register through the upload page: pupils, contacts with addresses, then marks.
    const files = await registerFiles();
    for (const [kind, content, heading] of [
      ['pupils', files.pupils, 'Pupils: imported'],
      ['contacts', files.contacts, 'Contacts (parents and carers): imported'],
      ['marks', files.marks, 'Attendance marks: imported'],
    ] as const) {
      await pastoral.goto('/schools/riverside-academy/register');
      await pastoral.getByLabel('What the file holds').selectOption(kind);
      await pastoral.getByLabel('CSV file').setInputFiles({ name: `${kind}.csv`, mimeType: 'text/csv', buffer: Buffer.from(content) });
      await pastoral.getByRole('button', { name: 'Upload and import' }).click();
      await pastoral.getByRole('heading', { name: heading }).waitFor({ timeout: 30_000 });
    }
    await expect(pastoral.getByRole('heading', { name: 'Attendance looked at again' }).isVisible()).resolves.toBe(true);

    // 5. The cases the evaluation opened, in the pastoral leader's queue, with letters addressed to the parents.
    await pastoral.goto('/');
    await expect(pastoral.getByRole('link', { name: /Chloe Dawson/ }).isVisible()).resolves.toBe(true);
    await expect(pastoral.getByRole('link', { name: /Daniel Evans/ }).isVisible()).resolves.toBe(true);
    await expect(pastoral.getByRole('link', { name: /Amelia Brook/ }).count()).resolves.toBe(0);
    await screenshots(pastoral, 'onboarding-queue');
    // Daniel's mother has no email: her Letter A is printed for posting, addressed in the envelope window.
    const { store } = service.opened;
    await expect.poll(async () => (await store.listMessages({ schoolIds: ['riverside-academy'] })).filter((m) => m.kind === 'letter').length, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    const posted = (await store.listMessages({ schoolIds: ['riverside-academy'] })).find((m) => m.recipientName === 'Sam Evans')!;
    expect(posted).toMatchObject({ status: 'printOnly', recipientEmail: null });
    const pdf = await pastoral.request.get(`/letters/${encodeURIComponent(posted.id)}.pdf`);
    expect(pdf.status()).toBe(200);
    const text = (await pdfText(await pdf.body())).replace(/\s+/g, ' ');
    expect(text).toContain('13 Mill Lane');
    expect(text).toContain('CV4 2AB');
    // Chloe's mother was emailed hers, from the school office she was set up with.
    await expect.poll(() => smtp.received.some((m) => m.to.includes('sam.dawson@family.example')), { timeout: 30_000 }).toBe(true);
    const emailed = smtp.received.find((m) => m.to.includes('sam.dawson@family.example'))!;
    expect(emailed.mail.from?.text).toContain('office@riverside.example.org');
  }, 240_000);
});
