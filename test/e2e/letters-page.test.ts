// The school's letters page in a real browser: the champion sets the letterhead, edits Letter A's
// wording with the live PDF preview (read back with pdf.js), sees a broken wording named by its
// line, and saves the wording that works.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { expectAccessible, screenshots, startE2EWorld, type E2EWorld } from './support/e2e-world.ts';
import { pdfImageCount, pdfText } from '../support/pdf.ts';
import { pngOf } from '../support/png.ts';

const OWN_WORDS = 'Every day counts at West Coventry Academy';

describe('the letters page in the browser', () => {
  let world: E2EWorld;
  beforeAll(async () => {
    world = await startE2EWorld();
  }, 90_000);
  afterAll(async () => world?.close());

  it('when the champion sets the letterhead and rewords Letter A, then the live preview shows both, a broken line is named, and the wording is saved', async () => {
    const page = await world.signIn('champion');
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('link', { name: 'letterhead and letters' }).click();
    await expect(page.getByRole('heading', { name: /Letters/, level: 1 }).isVisible()).resolves.toBe(true);
    await page.getByLabel('Logo').setInputFiles({ name: 'crest.png', mimeType: 'image/png', buffer: pngOf(200, 80) });
    await page.getByLabel('The school’s address').fill('Mill Lane\nCoventry CV5 9XX');
    await page.getByLabel('Telephone').fill('024 7600 1234');
    await page.getByLabel('Signed by').fill('Mr D. Evans');
    await page.getByLabel('Their role').fill('Attendance Lead');
    await page.getByRole('button', { name: 'Save the letterhead' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('The letterhead is saved');
    await expect(page.getByRole('img', { name: 'The school’s logo as it is now' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await screenshots(page, 'letters');

    const firstPreview = page.waitForResponse((res) => res.url().endsWith('/letters/west-coventry/letter-a/preview'));
    await page.getByRole('link', { name: /Change the wording of Attendance Letter A:/ }).click();
    expect((await firstPreview).headers()['content-type']).toBe('application/pdf');
    const source = page.getByLabel('Wording');
    const model = await source.inputValue();
    expect(model).toContain('{% block body %}');

    const reworded = model.replace('At {{ school.name }} the target for every student is attendance of {{ school.targetPct }}% or above.', `${OWN_WORDS}: we aim for 96% or above.`);
    const preview = page.waitForResponse((res) => res.url().endsWith('/preview') && (res.request().postData() ?? '').includes(OWN_WORDS));
    await source.fill(reworded);
    const pdf = new Uint8Array(await (await preview).body());
    const text = await pdfText(pdf);
    expect(text).toContain(`${OWN_WORDS}: we aim for 96% or above.`);
    expect(text).toContain('Mill Lane, Coventry CV5 9XX');
    expect(text).toMatch(/Mr D\. Evans\nAttendance Lead/);
    expect(await pdfImageCount(pdf)).toBe(1);
    await expect(page.locator('#preview-status').textContent()).resolves.toBe('The preview shows the wording in the box.');

    const refused = page.waitForResponse((res) => res.url().endsWith('/preview') && res.status() === 422);
    await source.fill(reworded.replace('{{ pupil.forename }}', '{{ pupil.firstName }}'));
    await refused;
    await expect(page.locator('#preview-status').textContent()).resolves.toMatch(/line \d+: 'pupil\.firstName' is not a merge field/);

    await source.fill(reworded);
    await page.getByRole('button', { name: 'Save this wording' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Your wording is saved');
    await expectAccessible(page);
    await screenshots(page, 'letter-edit');
    const saved = await world.service.opened.store.listLetterOverrides('west-coventry');
    expect(saved.map((o) => [o.template, o.source.includes(OWN_WORDS)])).toEqual([['west-coventry/letter-a', true]]);
    await page.context().close();
  }, 90_000);
});
