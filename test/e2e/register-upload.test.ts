import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { expectAccessible, screenshots, startE2EWorld, type E2EWorld } from './support/e2e-world.ts';

describe('the register upload page in the browser', () => {
  let world: E2EWorld;
  beforeAll(async () => {
    world = await startE2EWorld();
  }, 90_000);
  afterAll(async () => world?.close());

  it('when the champion uploads a marks CSV, then the progress bar runs to the end and the report replaces the form', async () => {
    const { store } = world.service.opened;
    // The school's own marks for a few pupils, sent back as the MIS would export them (SIMS names, with a column we do not take).
    const pupils = (await store.listPupils('west-coventry')).slice(0, 40);
    const rows: string[] = [];
    for (const pupil of pupils) for (const mark of await store.listMarks('west-coventry', pupil.upn)) rows.push(`${pupil.upn},${mark.date},${mark.session},${mark.code},9T`);
    expect(rows.length).toBeGreaterThan(1000);
    const file = Buffer.from(`UPN,Date,Session Name,Mark,Reg Group\r\n${rows.join('\r\n')}\r\n`);

    const page = await world.signIn('champion');
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('link', { name: 'load the register' }).first().click();
    await expect(page.getByRole('heading', { name: /Load the register/ }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    // What the bar and its words showed, kept on window: the page's body is replaced by the report.
    // (A script as text: the tests are typed without the DOM's names.)
    await page.evaluate(`(() => {
      const seen = { values: [], words: [] };
      window.seen = seen;
      const bar = document.getElementById('upload-bar');
      const status = document.getElementById('upload-status');
      new MutationObserver(() => seen.values.push(bar.getAttribute('value') || '')).observe(bar, { attributes: true, attributeFilter: ['value'] });
      new MutationObserver(() => seen.words.push(status.textContent || '')).observe(status, { childList: true, characterData: true, subtree: true });
    })()`);
    await page.getByLabel('What the file holds').selectOption('marks');
    await page.getByLabel('CSV file').setInputFiles({ name: 'SIMS marks.csv', mimeType: 'text/csv', buffer: file });
    await page.getByRole('button', { name: 'Upload and import' }).click();
    await page.getByRole('heading', { name: 'Attendance marks: imported' }).waitFor({ timeout: 30_000 });
    const seen = (await page.evaluate('window.seen')) as { values: string[]; words: string[] };
    expect(seen.values.at(-1)).toBe('100');
    expect(seen.words.some((words) => words.startsWith('The file is sent.'))).toBe(true);
    await expect(page.getByText(`Rows read ${rows.length}`).isVisible()).resolves.toBe(true);
    await expect(page.getByText('read with the SIMS column names').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('heading', { name: 'Attendance looked at again' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await screenshots(page, 'register-upload-report');
    await page.context().close();
  }, 90_000);
});
