import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { expectAccessible, screenshots, startE2EWorld, type E2EWorld } from './support/e2e-world.ts';
import { startSmtp } from '../support/smtp.ts';

describe('inviting a member of staff in the browser', () => {
  let world: E2EWorld;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  beforeAll(async () => {
    smtp = await startSmtp();
    world = await startE2EWorld({ SMTP_URL: smtp.url, SMTP_REQUIRE_TLS: 'false' });
  }, 90_000);
  afterAll(async () => {
    await world?.close();
    await smtp?.close();
  });

  it('when an admin invites a pastoral leader, then the leader chooses a password through the emailed link and signs in', async () => {
    const admin = await world.signIn('admin');
    await admin.getByRole('link', { name: 'Staff' }).click();
    await expect(admin.getByRole('heading', { name: 'Staff accounts' }).isVisible()).resolves.toBe(true);
    await admin.getByLabel('Name', { exact: true }).fill('Priya Shah');
    await admin.getByLabel('Email address').fill('priya.shah@school.example');
    await admin.locator('#role').selectOption('pastoral');
    await admin.locator('#schoolId').selectOption('west-coventry');
    await admin.getByRole('button', { name: 'Invite' }).click();
    await expect(admin.getByRole('status').textContent()).resolves.toContain('Invitation sent.');
    await expect(admin.getByRole('cell', { name: /Invited, link works until/ }).isVisible()).resolves.toBe(true);
    await expectAccessible(admin);
    await screenshots(admin, 'staff');

    const email = smtp.received.find((m) => m.to.includes('priya.shah@school.example'));
    expect(email?.mail.subject).toBe('Your attendance service account');
    // The link names PUBLIC_URL; this service listens on a port of its own, so the path is opened there.
    const link = new URL(/https?:\/\/\S+\/set-password\/[A-Za-z0-9_-]+/.exec(email!.mail.text ?? '')![0]);

    const context = await world.browser.newContext({ baseURL: world.url });
    const leader = await context.newPage();
    await leader.goto(link.pathname);
    await expect(leader.getByRole('heading', { name: 'Choose your password' }).isVisible()).resolves.toBe(true);
    await expectAccessible(leader);
    await leader.getByLabel('New password').fill('kettle orbit meadow');
    await leader.getByLabel('Type it again').fill('kettle orbit meadow');
    await leader.getByRole('button', { name: 'Set my password' }).click();
    await expect(leader.getByRole('heading', { name: 'Your password is set' }).isVisible()).resolves.toBe(true);
    await leader.getByRole('link', { name: 'Sign in' }).click();
    await leader.getByLabel('Email address').fill('priya.shah@school.example');
    await leader.getByLabel('Password').fill('kettle orbit meadow');
    await leader.getByRole('button', { name: 'Sign in' }).click();
    await leader.waitForURL((target) => !target.pathname.startsWith('/signin'));
    await expect(leader.getByRole('heading', { name: 'Work queue' }).isVisible()).resolves.toBe(true);
    await expect(leader.getByText('Priya Shah').first().isVisible()).resolves.toBe(true);

    // The link worked once.
    await leader.goto(link.pathname);
    await expect(leader.getByText('This link has already been used.').isVisible()).resolves.toBe(true);
    await context.close();
  }, 60_000);
});
