// The morning's queue as staff work it: enough cases on the first screen at desk and phone sizes,
// each with its attendance and why it needs someone now; filters that stay put; and from a case,
// the way back to the same list and on to the next case in it.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Page } from 'playwright-core';
import { expectAccessible, screenshots, startE2EWorld, type E2EWorld } from './support/e2e-world.ts';
import type { CaseContext } from '../../src/domain/case-types.ts';

/** How many queue rows lie wholly inside the first screen. */
async function rowsAboveTheFold(page: Page): Promise<number> {
  const height = page.viewportSize()!.height;
  const boxes = await page.locator('table.queue tbody tr').evaluateAll((rows) => rows.map((row) => row.getBoundingClientRect().bottom));
  return boxes.filter((bottom) => bottom <= height).length;
}

describe('the morning queue in the browser', () => {
  let world: E2EWorld;
  beforeAll(async () => {
    world = await startE2EWorld();
    // As the approvals suite does: two West Coventry cases reach their review still falling, so
    // Letter B waits for a person.
    const { service } = world;
    const { cases } = await service.opened.store.listCases({ schoolIds: ['west-coventry'], state: 'open.stage1a', limit: 2 });
    for (const record of cases) {
      const review = (record.snapshot as { context: CaseContext }).context.timers.review!;
      await service.cases.send(
        record.id,
        { type: 'REVIEW_DUE', at: review.dueDate, timerId: review.timerId, evidence: { rule: 'review', attendancePct: 80, change: { pctAtSince: 85, pctNow: 80, delta: -5 } } },
        { actor: 'system:timer' },
      );
    }
  }, 180_000);
  afterAll(async () => world?.close());

  it('when the champion opens the queue at 1280×800, then several cases show above the fold, each with attendance to one decimal and why it needs action now', { timeout: 180_000 }, async () => {
    const page = await world.signIn('champion');
    await page.screenshot({ path: 'test/e2e/screenshots/queue-morning-1280-top.png' });
    expect(await rowsAboveTheFold(page)).toBeGreaterThanOrEqual(5);
    const attendance = await page.locator('table.queue tbody td[data-label="Attendance"]').allTextContents();
    expect(attendance.length).toBeGreaterThan(0);
    for (const value of attendance) expect(value.trim()).toMatch(/^\d{1,3}\.\d%$/);
    const reasons = (await page.locator('table.queue tbody td[data-label="Why now"]').allTextContents()).map((text) => text.trim());
    expect(reasons.every((reason) => reason.length > 0)).toBe(true);
    // A register chore is the school's, not a case's reason for action.
    expect(reasons.filter((reason) => /^Register:/.test(reason))).toEqual([]);
    await expectAccessible(page);
    await screenshots(page, 'queue-morning');
    await page.context().close();
  });

  it('when a pastoral leader opens the queue on a 375×812 phone, then several cases show above the fold', { timeout: 180_000 }, async () => {
    const page = await world.signIn('pastoral');
    await page.setViewportSize({ width: 375, height: 812 });
    await page.reload();
    await page.screenshot({ path: 'test/e2e/screenshots/queue-morning-375-top.png' });
    expect(await rowsAboveTheFold(page)).toBeGreaterThanOrEqual(3);
    await page.context().close();
  });

  it('when filters are applied, then the queue remembers them, the case page links back to them and "Next case" follows the same order', { timeout: 180_000 }, async () => {
    const page = await world.signIn('pastoral');
    await page.getByText(/^Filters/).click();
    await page.locator('#f-status').selectOption('all');
    await page.locator('#f-due').selectOption('today');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/due=today/);
    const order = await page.locator('table.queue tbody tr td:first-child a').evaluateAll((links) => links.map((link) => link.getAttribute('href')));
    expect(order.length).toBeGreaterThanOrEqual(2);
    await expect(page.locator('details.more-filters summary').textContent()).resolves.toContain('due today or overdue');

    // Away and back by the navigation: the same filters.
    await page.goto('/dashboard');
    await page.getByRole('link', { name: 'Work queue' }).first().click();
    await page.waitForURL(/due=today/);
    await expect(page.locator('table.queue tbody tr td:first-child a').evaluateAll((links) => links.map((link) => link.getAttribute('href')))).resolves.toEqual(order);

    await page.goto(order[0]!);
    const back = page.locator('.breadcrumbs a').first();
    await expect(back.getAttribute('href')).resolves.toMatch(/due=today/);
    await expect(back.textContent()).resolves.toContain('due today or overdue');
    await expect(page.locator('.breadcrumbs').textContent()).resolves.toContain(`case 1 of ${order.length}`);
    await page.getByRole('link', { name: /^Next case/ }).click();
    await page.waitForURL(`**${order[1]}`);
    await expectAccessible(page);

    // Clearing forgets them.
    await page.goto('/?clear=1');
    await expect(page.locator('details.more-filters summary').textContent()).resolves.toMatch(/Filters: none/);
    await page.goto('/');
    expect(new URL(page.url()).search).toBe('');
    await page.context().close();
  });

  it('when a letter on a case waits for approval, then the case page says what, for whom, since when, and links to it', { timeout: 180_000 }, async () => {
    const { store } = world.service.opened;
    const held = (await store.listEffects({ status: 'held', schoolIds: ['west-coventry'] })).find((effect) => effect.caseId && effect.approval?.requires === 'staff');
    expect(held).toBeDefined();
    const page = await world.signIn('pastoral');
    await page.goto(`/cases/${held!.caseId}`);
    const panel = page.locator('section.waiting-approvals');
    const text = (await panel.textContent())!.replace(/\s+/g, ' ');
    expect(text).toMatch(/Letter \w+ to the parents and carers has waited since .+ for the pastoral leader \/ attendance officer or senior attendance champion \(.+\) to approve it/);
    await panel.locator(`a[href="/approvals/${encodeURIComponent(held!.id)}"]`).click();
    await page.waitForURL(`**/approvals/${encodeURIComponent(held!.id)}`);
    await page.context().close();
  });
});
