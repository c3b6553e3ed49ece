import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { expectAccessible, screenshots, startE2EWorld, type E2EWorld } from './support/e2e-world.ts';

const ICS = [
  'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Coventry City Council//Term dates//EN',
  'BEGIN:VEVENT', 'UID:1', 'DTSTAMP:20250101T000000Z', 'DTSTART;VALUE=DATE:20250602', 'SUMMARY:INSET day', 'END:VEVENT',
  'BEGIN:VEVENT', 'UID:2', 'DTSTAMP:20250101T000000Z', 'DTSTART;VALUE=DATE:20250526', 'DTEND;VALUE=DATE:20250531', 'SUMMARY:Half term', 'END:VEVENT',
  'END:VCALENDAR', '',
].join('\r\n');

describe('the school calendar page in the browser', () => {
  let world: E2EWorld;
  beforeAll(async () => {
    world = await startE2EWorld();
  }, 90_000);
  afterAll(async () => world?.close());

  it('when the champion adds an INSET day and imports the LA’s .ics file, then each is listed, the import only after its preview is saved', async () => {
    const page = await world.signIn('champion');
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('link', { name: 'term dates and closures' }).click();
    await expect(page.getByRole('heading', { name: /Term dates and closures/ }).isVisible()).resolves.toBe(true);
    await page.getByLabel('What it is').selectOption('inset');
    await page.getByLabel('First day').fill('2025-04-28');
    await page.getByLabel('Description').fill('Training day');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Added to the calendar.');
    await expect(page.getByRole('cell', { name: 'Training day', exact: true }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await screenshots(page, 'calendar');

    await page.getByLabel('Calendar file (.ics or .csv)').setInputFiles({ name: 'coventry-term-dates.ics', mimeType: 'text/calendar', buffer: Buffer.from(ICS) });
    await page.getByRole('button', { name: 'Preview the import' }).click();
    await expect(page.getByRole('heading', { name: /What the import would change/ }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('heading', { name: 'Added (1)' }).isVisible()).resolves.toBe(true);
    await expect(page.getByText(/Half term \(Monday 26 May 2025 to Friday 30 May 2025\) is outside term time/).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await screenshots(page, 'calendar-import');
    expect((await world.service.opened.store.getSchoolCalendar('west-coventry')).entries).toHaveLength(1);
    await page.getByRole('button', { name: 'Save these changes' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('The import is saved.');
    expect((await world.service.opened.store.getSchoolCalendar('west-coventry')).entries.map((e) => e.start)).toEqual(['2025-04-28', '2025-06-02']);
    await page.context().close();
  }, 60_000);
});
