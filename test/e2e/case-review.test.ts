import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { expectAccessible, screenshots, startE2EWorld, type E2EWorld } from './support/e2e-world.ts';
import type { CaseContext } from '../../src/domain/case-types.ts';
import { pdfText } from '../support/pdf.ts';

describe('case review in the browser', () => {
  let world: E2EWorld;
  beforeAll(async () => {
    world = await startE2EWorld();
  }, 90_000);
  afterAll(async () => world?.close());

  const openCaseIds = async (schoolId: string) => (await world.service.opened.store.listCases({ schoolIds: [schoolId], status: 'open', limit: 100 })).cases.map((record) => record.id);

  it('when a pastoral leader searches the queue and opens a case, then the case page shows the pupil, attendance and actions', { timeout: 120_000 }, async () => {
    const page = await world.signIn('pastoral');
    await expect(page.getByRole('heading', { level: 1, name: 'Work queue' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await screenshots(page, 'queue');
    const firstPupil = (await page.locator('table.queue tbody tr td:first-child a').first().textContent())!.trim();
    await page.getByLabel('Pupil name or UPN').fill(firstPupil.split(' ')[1]!);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: firstPupil }).first().click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(firstPupil);
    await expect(page.getByRole('img', { name: /Weekly attendance/ }).count()).resolves.toBe(1);
    await expect(page.locator('table.heatmap td').count()).resolves.toBeGreaterThan(100);
    await expect(page.getByRole('heading', { name: 'What you can do now' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await screenshots(page, 'case');
    await page.context().close();
  });

  it('when a pastoral leader notes and then withdraws a case, then the stage changes and the timeline shows both', { timeout: 120_000 }, async () => {
    const [id] = await openCaseIds('west-coventry');
    const page = await world.signIn('pastoral');
    await page.goto(`/cases/${id}`);
    await page.getByText('Add a note').click();
    await page.getByLabel('What it is about').selectOption('phoneCall');
    await page.getByRole('textbox', { name: 'Note' }).fill('Phoned home: mum says the bus is the problem.');
    await page.getByRole('button', { name: 'Save the note' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Note saved');
    await expect(page.getByText('Phoned home: mum says the bus is the problem.').count()).resolves.toBeGreaterThan(0);
    // As CPOMS users read a note: what it was, the day it was about, who wrote it.
    await expect(page.locator('blockquote.note').first().textContent()).resolves.toMatch(/Phone call · \w+day \d{1,2} \w+ \d{4} · Priya Pastoral: Phoned home/);

    await page.getByText('Withdraw the case').click();
    await page.getByLabel('Reason').fill('Moved to a school in another county.');
    await page.getByRole('button', { name: 'Record it' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Done: Withdraw the case');
    await expect(page.locator('.summary').textContent()).resolves.toContain('(closed)');
    const record = await world.service.opened.store.getCase(id!);
    expect(record).toMatchObject({ status: 'closed', version: 2 });

    await page.getByRole('link', { name: 'See the whole timeline' }).click();
    const timeline = page.locator('ol.timeline');
    await expect(timeline.textContent()).resolves.toContain('Phoned home: mum says the bus is the problem.');
    await expect(timeline.locator('li.kind-transition').last().textContent()).resolves.toMatch(/(Stage 1a|Considering) → Closed[\s\S]*By Priya Pastoral[\s\S]*Moved to a school in another county/);
    await expectAccessible(page);
    await screenshots(page, 'timeline');
    await page.getByLabel('Show').selectOption('note');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect(timeline.locator('li').count()).resolves.toBe(1);
    const pdf = await page.request.get(`/cases/${id}/timeline.pdf`);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    await page.context().close();
  });

  it('when a stale page records an action after someone else changed the case, then it says so and nothing is applied', { timeout: 120_000 }, async () => {
    const [, id] = await openCaseIds('west-coventry');
    const stale = await world.signIn('pastoral');
    await stale.goto(`/cases/${id}`);
    const other = await world.signIn('champion');
    await other.goto(`/cases/${id}`);
    await other.getByText('Record that the pupil left the school').click();
    await other.getByRole('button', { name: 'Record it' }).click();
    const after = await world.service.opened.store.getCase(id!);

    await stale.getByText('Record that the pupil left the school').click();
    await stale.getByRole('button', { name: 'Record it' }).click();
    await expect(stale.getByRole('alert').textContent()).resolves.toContain('This case changed since you opened it');
    expect(await world.service.opened.store.getCase(id!)).toMatchObject({ version: after!.version, state: after!.state });
    await expectAccessible(stale);
    await screenshots(stale, 'case-conflict');
    await stale.context().close();
    await other.context().close();
  });

  it('when a trust lead opens a case, then they read it but are offered no action', { timeout: 120_000 }, async () => {
    const [id] = await openCaseIds('west-coventry');
    const page = await world.signIn('lead');
    await page.goto(`/cases/${id}`);
    await expect(page.getByText('Your role can read this case but not act on it.').isVisible()).resolves.toBe(true);
    await expect(page.locator('form.action-form').count()).resolves.toBe(0);
    await page.context().close();
  });

  it('when a pastoral leader opens a case of another school, then it is not found', { timeout: 120_000 }, async () => {
    const [id] = await openCaseIds('kennet');
    const page = await world.signIn('pastoral');
    const response = await page.goto(`/cases/${id}`);
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Page not found');
    await expectAccessible(page);
    await page.context().close();
  });

  it('when someone is not signed in, then a page sends them to sign in and back', { timeout: 120_000 }, async () => {
    const context = await world.browser.newContext({ baseURL: world.url });
    const page = await context.newPage();
    await page.goto('/dashboard');
    expect(new URL(page.url()).pathname).toBe('/signin');
    await page.getByLabel('Email address').fill('lead@threespires.demo');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('The email or password is not right');
    await expectAccessible(page);
    await screenshots(page, 'signin-error');
    await context.close();
  });

  it('when a pastoral leader records the Stage 1b meeting with its plan and an action, then the meeting task closes, the form goes, and the evidence pack shows the plan', { timeout: 120_000 }, async () => {
    const store = world.service.opened.store;
    // A West Coventry case whose review found attendance still falling: Stage 1b and its Informal School Attendance Meeting.
    const { cases } = await store.listCases({ schoolIds: ['west-coventry'], state: 'open.stage1a', limit: 10 });
    const record = cases.at(-1)!;
    const review = (record.snapshot as { context: CaseContext }).context.timers.review!;
    const evidence = { rule: 'review', attendancePct: 80, change: { pctAtSince: 85, pctNow: 80, delta: -5 } };
    expect((await world.service.cases.send(record.id, { type: 'REVIEW_DUE', at: review.dueDate, timerId: review.timerId, evidence }, { actor: 'system:timer' })).to).toBe('open.stage1b');
    // The worker sets the stage's tasks on its own schedule: wait for the meeting task, as a person would.
    for (let i = 0; i < 100 && !(await store.listTasks({ caseId: record.id, status: 'open' })).some((task) => task.kind === 'meeting'); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const page = await world.signIn('pastoral');
    await page.goto(`/cases/${record.id}`);
    await page.getByText('Record the meeting').first().click();
    await expect(page.getByText('the policy then moves the case to Stage 2').count()).resolves.toBe(1);
    await expectAccessible(page);
    await screenshots(page, 'case-meeting-form');
    const today = await page.getByLabel('Date of the meeting').inputValue();
    await page.getByLabel('Who attended').fill('Mother; Priya Pastoral (pastoral lead); form tutor');
    await page.getByRole('radio', { name: 'Yes' }).check();
    await page.getByLabel('What was agreed (the action plan)').fill('A morning check-in with the form tutor; mother rings by 8:45 on any day of illness.');
    await page.getByLabel('Action 1: what').fill('Morning check-in each day');
    await page.getByLabel('Who', { exact: true }).first().selectOption({ label: 'Priya Pastoral' });
    await page.getByLabel('By when').first().fill(today);
    await page.getByLabel('Outcome').fill('Plan agreed; reviewed in four weeks.');
    await page.getByRole('button', { name: 'Record the meeting' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Meeting recorded');
    await expect(page.getByText('Record the meeting').count()).resolves.toBe(0);
    await expect(page.locator('.task').filter({ hasText: 'Morning check-in each day' }).textContent()).resolves.toContain('for Priya Pastoral');
    const tasks = await store.listTasks({ caseId: record.id });
    expect(tasks.filter((task) => task.kind === 'meeting').map((task) => task.status)).toEqual(['done']);
    await expectAccessible(page);
    const pdf = await page.request.get(`/api/cases/${record.id}/evidence-pack.pdf`);
    const text = (await pdfText(await pdf.body())).replace(/\s+/g, ' ');
    expect(text).toContain('Informal School Attendance Meeting,');
    expect(text).toContain('Parent or carer present: Yes');
    expect(text).toContain('What was agreed: A morning check-in with the form tutor');
    expect(text).toMatch(/Morning check-in each day – Priya Pastoral, by \w+day \d{1,2} \w+ \d{4}/);
    await page.context().close();
  });
});
