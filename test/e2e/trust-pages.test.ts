import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { expectAccessible, screenshots, startE2EWorld, type E2EWorld } from './support/e2e-world.ts';

describe('dashboard, workflow, outbox and demo clock pages in the browser', () => {
  let world: E2EWorld;
  beforeAll(async () => {
    world = await startE2EWorld();
  }, 90_000);
  afterAll(async () => world?.close());

  it('when a trust lead opens the dashboard, then it shows the funnel and the trend of each of their schools, on their different policies, and a stage drills down to its cases', { timeout: 120_000 }, async () => {
    const page = await world.signIn('lead');
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await expect(page.getByRole('heading', { name: 'Open cases by what their stage means' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('heading', { name: 'West Coventry Academy' }).isVisible()).resolves.toBe(true);
    // The demo trust's five schools follow five policies; the DSAT school is another trust's.
    for (const school of ['Kennet School', 'Francis Baily Primary School', 'Whitelands Park Primary School', 'Hall Green Primary School']) {
      await expect(page.getByRole('heading', { name: school }).isVisible()).resolves.toBe(true);
    }
    await expect(page.getByRole('heading', { name: /St Aldhelm/ }).count()).resolves.toBe(0);
    await expectAccessible(page);
    await screenshots(page, 'dashboard');
    await page.locator('.funnel details').first().locator('summary').click();
    const stage = page.locator('.funnel details li').first();
    const count = Number((await stage.textContent())!.split(':').at(-1));
    await stage.locator('a').click();
    await expect(page.locator('#results-heading').textContent()).resolves.toContain(`${count} case`);
    await page.context().close();
  });

  it('when a trust lead opens the dashboard, then a table sets each school beside the national figures for its phase, stages are grouped by meaning, and each school has half terms and splits', { timeout: 120_000 }, async () => {
    const page = await world.signIn('lead');
    await page.goto('/dashboard');
    const table = page.locator('table.comparison');
    const rows = table.locator('tbody tr');
    await expect(rows.count()).resolves.toBe(5);
    const headers = (await table.locator('thead th').allTextContents()).map((text) => text.trim());
    expect(headers).toEqual(['School', 'Pupils', 'Attendance', 'Unauthorised absence', 'Persistent absence', 'Severe absence', 'Support', 'Formal support', 'Legal intervention', 'Penalty notices', 'Overdue tasks']);
    const primary = (await rows.filter({ hasText: 'Francis Baily Primary School' }).textContent())!.replace(/\s+/g, ' ');
    // The DfE's 2023/24 figures for primary schools: 5.5% overall absence, 1.6% unauthorised.
    expect(primary).toMatch(/Primary/);
    expect(primary).toContain('national 94.5%');
    expect(primary).toContain('national 1.6%');
    const secondary = (await rows.filter({ hasText: 'West Coventry Academy' }).textContent())!.replace(/\s+/g, ' ');
    expect(secondary).toContain('national 91.1%');
    expect(secondary).toContain('not entered');
    for (const text of await rows.locator('td').allTextContents()) expect(text).not.toMatch(/\d\.\d{2,}/);
    // Three groups, whatever the policies call their stages.
    await expect(page.locator('.funnel .bar-row > span:first-child').allTextContents()).resolves.toEqual(['Support', 'Formal support', 'Legal intervention']);
    const groupTotal = (await page.locator('.funnel .bar-row > span:last-child').allTextContents()).reduce((sum, n) => sum + Number(n), 0);
    const open = Number((await page.locator('.cards li').first().textContent())!.match(/\d+/)![0]);
    expect(groupTotal).toBe(open);
    const section = page.locator('section', { has: page.getByRole('heading', { name: 'West Coventry Academy' }) });
    await expect(section.locator('table').first().locator('tbody th').first().textContent()).resolves.toMatch(/^Autumn 1/);
    await section.getByText('Who is absent, and why').click();
    await expect(section.locator('caption').allTextContents()).resolves.toEqual(expect.arrayContaining(['Year group', 'Special educational needs', 'Free school meals', 'Absence by reason (share of possible sessions)']));
    await expect(section.getByRole('rowheader', { name: 'Free school meals', exact: true }).count()).resolves.toBe(1);
    await expectAccessible(page);
    await screenshots(page, 'dashboard-comparison');
    await page.context().close();
  });

  it('when an EWO opens the dashboard, then it shows no whole-school attendance', async () => {
    const page = await world.signIn('ewo');
    await page.goto('/dashboard');
    await expect(page.getByRole('heading', { name: 'West Coventry Academy' }).count()).resolves.toBe(0);
    await expectAccessible(page);
    await page.context().close();
  });

  it('when a champion opens a workflow, then the diagram is drawn from local assets and the what-if panel simulates a pupil', async () => {
    const page = await world.signIn('champion');
    await page.getByRole('link', { name: 'Workflows' }).click();
    await expectAccessible(page);
    await screenshots(page, 'workflows');
    await page.goto('/workflows/west-coventry');
    await page.locator('.diagram-drawn svg').first().waitFor({ timeout: 15_000 });
    await page.getByLabel('Pupil', { exact: true }).selectOption({ index: 0 });
    await page.getByRole('button', { name: 'Run the simulation' }).click();
    await expect(page.getByText(/transitions?; nothing is stored or sent/).isVisible()).resolves.toBe(true);
    await page.locator('.diagram-drawn svg').first().waitFor({ timeout: 15_000 });
    await expectAccessible(page);
    await screenshots(page, 'workflow');
    await page.context().close();
  });

  it('when an admin moves the demo clock from the outbox, then time passes and the outbox lists the letters made', async () => {
    const page = await world.signIn('admin');
    await page.getByRole('link', { name: 'Outbox' }).click();
    const before = world.service.clock.now().getTime();
    await page.getByLabel('Move the clock forward by').selectOption('1d');
    await page.getByRole('button', { name: 'Move the clock' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toMatch(/The clock moved on to .*: \d+ timers? fired and \d+ school evaluations? ran/);
    expect(world.service.clock.now().getTime() - before).toBeGreaterThanOrEqual(86_400_000 - 60_000);
    await expect.poll(async () => (await world.service.opened.store.listMessages({ schoolIds: ['west-coventry'] })).length, { timeout: 20_000 }).toBeGreaterThan(0);
    await page.reload();
    await expect(page.locator('table.queue tbody tr').count()).resolves.toBeGreaterThan(0);
    await expectAccessible(page);
    await screenshots(page, 'outbox');
    const pdfLink = page.getByRole('link', { name: /^PDF/ }).first();
    const pdf = await page.request.get((await pdfLink.getAttribute('href'))!);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    await page.context().close();
  }, 90_000);

  it('when a pastoral leader opens the outbox, then there is no clock control and posting to it is refused', async () => {
    const page = await world.signIn('pastoral');
    await page.goto('/outbox');
    await expect(page.getByRole('heading', { name: 'Demo clock' }).count()).resolves.toBe(0);
    const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    const refused = await page.request.post('/demo/clock', { form: { _csrf: csrf, duration: '7d' } });
    expect(refused.status()).toBe(403);
    await page.context().close();
  });
});
