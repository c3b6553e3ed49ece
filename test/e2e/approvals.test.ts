import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expectAccessible, screenshots, startE2EWorld, type E2EWorld } from './support/e2e-world.ts';
import type { CaseContext } from '../../src/domain/case-types.ts';
import { pdfPages } from '../support/pdf.ts';

const SCREENSHOTS = path.join(path.dirname(new URL(import.meta.url).pathname), 'screenshots');

describe('approvals and the evidence pack in the browser', () => {
  let world: E2EWorld;
  beforeAll(async () => {
    world = await startE2EWorld();
    // The demo opens on its first reviews, whose Letter A goes out on its own (auto-send). Bring three
    // West Coventry cases to their review with attendance still falling: Letter B waits for a person.
    const { service } = world;
    const { cases } = await service.opened.store.listCases({ schoolIds: ['west-coventry'], state: 'open.stage1a', limit: 3 });
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

  const store = () => world.service.opened.store;
  const heldLetters = async () => (await store().listEffects({ status: 'held', schoolIds: ['west-coventry'] })).filter((effect) => effect.approval?.requires === 'staff');
  /** The worker delivers approved letters on its own schedule: wait for it, as a person would. */
  async function delivered(effectId: string) {
    for (let i = 0; i < 100; i += 1) {
      if ((await store().getEffect(effectId))?.status === 'done') return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`effect ${effectId} was not delivered in 20 s`);
  }

  it('when the champion approves a batch of letters, then they leave the held list and the outbox shows them', async () => {
    const waiting = await heldLetters();
    expect(waiting.length).toBeGreaterThanOrEqual(3);
    const page = await world.signIn('champion');
    const nav = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Approvals/ });
    await expect(nav.textContent()).resolves.toMatch(/Approvals \d+ waiting/);
    await nav.click();
    await expect(page.getByRole('heading', { level: 1, name: 'Approvals' }).isVisible()).resolves.toBe(true);
    await expect(page.locator('.lede').textContent()).resolves.toMatch(/\d+ letters? and \d+ legal steps? to approve/);
    await expectAccessible(page);
    await screenshots(page, 'approvals');

    const chosen = waiting.slice(0, 2).map((effect) => effect.id);
    for (const id of chosen) await page.locator(`input[name="ids"][value="${id}"]`).check();
    await page.getByRole('button', { name: 'Approve the ticked letters' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('2 approved');
    for (const id of chosen) await expect(page.locator(`input[name="ids"][value="${id}"]`).count()).resolves.toBe(0);

    for (const id of chosen) await delivered(id);
    const made = (await store().listMessages({ schoolIds: ['west-coventry'] })).filter((message) => chosen.includes(message.effectId));
    expect(made.length).toBeGreaterThanOrEqual(2);
    await page.getByRole('link', { name: 'Outbox' }).click();
    const outbox = await page.locator('table.queue').textContent();
    for (const message of made) expect(outbox).toContain(message.subject);
    await page.context().close();
  }, 90_000);

  it('when the champion opens one approval, edits its letter and approves it, then the edit is what goes', async () => {
    const [effect] = await heldLetters();
    const page = await world.signIn('champion');
    await page.goto('/approvals');
    await page.locator(`a[href="/approvals/${encodeURIComponent(effect!.id)}"]`).click();
    await expect(page.getByRole('heading', { name: 'Evidence' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await screenshots(page, 'approval');
    const subject = page.getByLabel('Subject').first();
    await subject.fill(`${await subject.inputValue()} (checked by the champion)`);
    const text = page.getByLabel('Text').first();
    await text.fill(`${await text.inputValue()}\n\nPlease call Ms Champion on 024 7600 0000 if anything here is wrong.`);
    await page.getByRole('button', { name: /^Approve/ }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Approved');
    const decided = await store().getEffect(effect!.id);
    expect(decided?.approval?.edits).toHaveLength(1);
    expect(decided?.approval?.edits[0]).toMatchObject({ subject: expect.stringContaining('(checked by the champion)'), text: expect.stringContaining('Ms Champion') });
    await delivered(effect!.id);
    const [sent] = (await store().listMessages({ caseId: effect!.caseId! })).filter((message) => message.effectId === effect!.id);
    expect(sent?.subject).toContain('(checked by the champion)');
    await page.context().close();
  }, 90_000);

  it('when the champion downloads a case’s evidence pack from the case page, then it is a PDF whose pages render', async () => {
    const { cases } = await store().listCases({ schoolIds: ['west-coventry'], status: 'open', limit: 1 });
    const page = await world.signIn('champion');
    await page.goto(`/cases/${cases[0]!.id}`);
    await expect(page.getByRole('button', { name: /^Done/ }).count()).resolves.toBeGreaterThanOrEqual(0);
    await expectAccessible(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download the evidence pack (PDF)' }).click()]);
    const dir = await mkdtemp(path.join(tmpdir(), 'evidence-e2e-'));
    const pdf = path.join(dir, 'pack.pdf');
    await download.saveAs(pdf);
    const bytes = await readFile(pdf);
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const pages = await pdfPages(bytes, { dpi: 60, first: 1, last: 2 });
    expect(pages.length).toBeGreaterThanOrEqual(1);
    for (const [i, picture] of pages.entries()) await writeFile(path.join(SCREENSHOTS, `evidence-pack-page-${i + 1}.png`), picture);
    await page.context().close();
  });
});
