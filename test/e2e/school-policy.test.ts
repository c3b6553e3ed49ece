import { Readable } from 'node:stream';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Page } from 'playwright-core';
import { expectAccessible, screenshots, startE2EWorld, type E2EWorld } from './support/e2e-world.ts';
import { importRegister } from '../support/register.ts';
import { pdfText } from '../support/pdf.ts';
import { importContacts, importPupils } from '../../src/register/import-register.ts';
import { calendarForSchool } from '../../src/calendars/school-calendars.ts';
import { evaluateSchool } from '../../src/cases/evaluate-school.ts';
import { policyVersionOf } from '../../src/cases/case-machines.ts';
import { createCaseService } from '../../src/cases/case-service.ts';
import { hashPassword } from '../../src/access/passwords.ts';
import { DEMO_PASSWORD } from '../../src/access/demo-accounts.ts';
import { DEMO_TRUSTS } from '../../src/demo/demo-trust.ts';
import { createLogger } from '../../src/logger.ts';
import type { CaseRecord, Store } from '../../src/store/types.ts';

// A new school in Sandwell starts from West Coventry's model policy and makes it its own.
const SCHOOL = { id: 'oak-park', name: 'Oak Park Academy', workflowId: 'west-coventry', localAuthority: 'Sandwell' };
const csv = (text: string) => Readable.from([Buffer.from(text)]);
/** Sessions off ill in September: 10 is about 91% by November (a case under either policy), 5 about 95.6% (only under a 96% one). */
const PUPILS = [
  { upn: 'A331400112201', forename: 'Amira', surname: 'Bello', ill: 10 },
  { upn: 'A331400112301', forename: 'Ben', surname: 'Carter', ill: 10 },
  { upn: 'A331400112302', forename: 'Chloe', surname: 'Dunn', ill: 5 },
  { upn: 'A331400112303', forename: 'Dev', surname: 'Evans', ill: 5 },
  { upn: 'A331400112304', forename: 'Ella', surname: 'Fox', ill: 0 },
];

async function newSchool(store: Store) {
  await store.upsertSchool({ ...SCHOOL, trustId: DEMO_TRUSTS[0]!.id, notifyEmails: { office: 'office@oak-park.example.org', la: 'attendance@sandwell.example.org', ewo: 'ewo@sandwell.example.org' } });
  const at = new Date();
  const who = { schoolId: SCHOOL.id, actor: 'test', reason: 'test', at };
  await importPupils(store, { ...who, source: csv(`upn,forename,surname,date_of_birth,year_group\n${PUPILS.map((p) => `${p.upn},${p.forename},${p.surname},2012-05-01,8`).join('\n')}\n`) });
  await importContacts(store, {
    ...who,
    source: csv(`upn,name,relationship,email,phone,parental_responsibility,lives_with\n${PUPILS.map((p) => `${p.upn},Parent ${p.surname},mother,parent.${p.surname.toLowerCase()}@example.org,,yes,yes`).join('\n')}\n`),
  });
  const calendar = await calendarForSchool(store, SCHOOL);
  const days = calendar.schoolDays('2025-09-01', '2025-11-28');
  for (const pupil of PUPILS) {
    const absent = Object.fromEntries(days.slice(2, 2 + pupil.ill).map((date) => [`${date} AM`, 'I']));
    await importRegister(store, SCHOOL.id, pupil.upn, calendar, '2025-09-01', '2025-11-28', absent);
  }
  await store.upsertUser({ id: 'u-oak-champion', email: 'champion@oak-park.demo', name: 'Olu Adeyemi', role: 'champion', schoolId: SCHOOL.id, trustId: null, localAuthority: null, passwordHash: await hashPassword(DEMO_PASSWORD), active: true, createdAt: at });
}

async function signInAsChampion(world: E2EWorld): Promise<Page> {
  const context = await world.browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: world.url });
  const page = await context.newPage();
  await page.goto('/signin');
  await page.getByLabel('Email address').fill('champion@oak-park.demo');
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((target) => !target.pathname.startsWith('/signin'));
  return page;
}

const OWN_WORDS = 'Every day counts';
async function waitUntil(check: () => Promise<boolean>, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const casesOf = async (store: Store): Promise<CaseRecord[]> => (await store.listCases({ schoolIds: [SCHOOL.id], limit: 100 })).cases;

describe('a school’s own policy in the browser', () => {
  let world: E2EWorld;
  let store: Store;
  const logger = createLogger('silent');
  beforeAll(async () => {
    world = await startE2EWorld();
    store = world.service.opened.store;
    await newSchool(store);
    // The built-in policy (version 1) opens cases for the two pupils below 95%.
    await evaluateSchool({ store, clock: world.service.clock, logger }, SCHOOL.id, '2025-11-17');
  }, 180_000);
  afterAll(async () => world?.close());

  it('when the champion copies West Coventry’s policy, sets 96% and a 15-day NTI, tries it, publishes it and moves two open cases, then a new case escalates on version 2', async () => {
    const opened = await casesOf(store);
    expect(opened.map((c) => [c.upn, c.state, policyVersionOf(c)]).sort()).toEqual([
      ['A331400112201', 'open.stage1a', 1],
      ['A331400112301', 'open.stage1a', 1],
    ]);
    const page = await signInAsChampion(world);
    await page.goto(`/schools/${SCHOOL.id}/policy`);
    await expect(page.getByRole('heading', { name: /Attendance policy/ }).isVisible()).resolves.toBe(true);

    // Copy West Coventry's model policy into the draft.
    await page.getByLabel('Start again from a model policy').selectOption('west-coventry');
    await page.getByRole('button', { name: 'Copy this policy into the draft' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('The draft now starts from the policy you chose');

    // A 96% target (and cases opening below it), a 15-school-day Notice to Improve.
    await expect(page.getByText(/Sandwell’s code of conduct’s range: 3 to 6 school weeks/).isVisible()).resolves.toBe(true);
    await expect(page.locator('#policy-targetPct-help').textContent()).resolves.toContain('The attendance every pupil is expected to reach');
    await page.getByLabel('Target attendance (%)').fill('96');
    await page.getByLabel('A case opens when attendance is: per cent').fill('96');
    await page.getByLabel('Notice to Improve: improvement period: how many').fill('15');
    await page.getByLabel('Notice to Improve: improvement period: in').selectOption('schoolDays');
    await page.getByRole('button', { name: 'Save the draft' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('The draft is saved.');
    const draft = await store.getPolicyDraft(SCHOOL.id);
    expect(draft?.document).toEqual({ base: 'west-coventry', overrides: { targetPct: 96, opening: { when: { pctBelow: 96 } }, noticeToImprove: { improvementPeriod: { amount: 15, unit: 'schoolDays' } } } });
    await expect(page.locator('pre.mermaid-source').first().textContent()).resolves.toContain('stateDiagram');

    // The dry run names the two pupils who would now open cases, and stores and sends nothing.
    const before = { cases: (await casesOf(store)).length };
    await page.getByRole('button', { name: 'Run the dry run' }).click();
    await expect(page.locator('#dryrun-summary').textContent()).resolves.toMatch(/2 who would not under version 1/);
    for (const name of ['Chloe Dunn', 'Dev Evans']) {
      const row = page.locator('#dryrun-table tr', { hasText: name });
      await expect(row.locator('td').nth(0).textContent()).resolves.toBe('nothing happens');
      await expect(row.locator('td').nth(1).textContent()).resolves.toMatch(/^opens a case at Stage 1a; sends Letter A/);
    }
    await expect(page.locator('#dryrun-table tr', { hasText: 'Ella Fox' }).count()).resolves.toBe(0);
    expect((await casesOf(store)).length).toBe(before.cases);
    await expectAccessible(page);
    await screenshots(page, 'policy-dry-run');

    // Publish version 2.
    await page.getByLabel('What changed (kept with the version)').fill('96% target; 15-school-day Notice to Improve');
    await page.getByRole('button', { name: 'Publish as version 2' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Published.');
    await expect(page.getByRole('rowheader', { name: '2 (in use)' }).isVisible()).resolves.toBe(true);

    // Move the two open cases from version 1 to version 2, Stage 1a onto Stage 1b, after a preview.
    const outboxBefore = await Promise.all(opened.map((c) => store.listEffects({ caseId: c.id })));
    await page.getByLabel('Cases on version').selectOption('1');
    await page.getByRole('button', { name: 'Show the preview' }).click();
    await page.getByLabel('Stage 1a moves to').selectOption('open.stage1b');
    await page.getByRole('button', { name: 'Show the preview' }).click();
    const preview = page.locator('#migration-preview tbody tr');
    await expect(preview.count()).resolves.toBe(2);
    for (const name of ['Amira Bello', 'Ben Carter']) {
      const cells = page.locator('#migration-preview tr', { hasText: name }).locator('td');
      await expect(cells.nth(2).textContent()).resolves.toBe('Stage 1b');
      await expect(cells.nth(3).textContent()).resolves.toBe('nothing');
    }
    await expectAccessible(page);
    await screenshots(page, 'policy-migration');
    await page.getByRole('button', { name: 'Move the ticked cases' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Nothing was sent to anyone.');
    for (const [i, record] of opened.entries()) {
      const moved = (await store.getCase(record.id))!;
      expect([moved.state, policyVersionOf(moved)]).toEqual(['open.stage1b', 2]);
      expect((await store.listTimeline(record.id)).at(-1)).toMatchObject({ type: 'policy.migrated', from: 'open.stage1a', to: 'open.stage1b', evidence: { fromVersion: 1, toVersion: 2 } });
      expect((await store.listEffects({ caseId: record.id })).length).toBe(outboxBefore[i]!.length);
    }

    // The school's own letterhead and its own words for Letter A, which then cites version 2's target.
    await page.goto(`/schools/${SCHOOL.id}/letters`);
    await page.getByLabel('The school’s address').fill('Oak Lane\nWest Bromwich B70 1AA');
    await page.getByLabel('Signed by').fill('Mrs O. Adeyemi');
    await page.getByLabel('Their role').fill('Attendance Champion');
    await page.getByRole('button', { name: 'Save the letterhead' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('The letterhead is saved');
    await page.getByRole('link', { name: /Change the wording of Attendance Letter A:/ }).click();
    const source = page.getByLabel('Wording');
    await source.fill((await source.inputValue()).replace('At {{ school.name }} the target for every student is attendance of {{ school.targetPct }}% or above.', `${OWN_WORDS}: at {{ school.name }} we aim for {{ school.targetPct }}% or above.`));
    await page.getByRole('button', { name: 'Save this wording' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Your wording is saved');

    // The next review opens cases on version 2 (96%), and one escalates on it.
    await evaluateSchool({ store, clock: world.service.clock, logger }, SCHOOL.id, '2025-11-24');
    const chloe = (await casesOf(store)).find((c) => c.upn === 'A331400112302')!;
    expect([chloe.state, policyVersionOf(chloe)]).toEqual(['open.stage1a', 2]);
    const review = (chloe.snapshot as { context: { timers: Record<string, { timerId: string; dueDate: string }> } }).context.timers.review!;
    const cases = createCaseService({ store, clock: world.service.clock, logger });
    const escalated = await cases.send(chloe.id, { type: 'REVIEW_DUE', at: review.dueDate, timerId: review.timerId, evidence: { rule: 'review', attendancePct: 95.6, change: { pctAtSince: 95.7, pctNow: 95.6, delta: -0.1 } } }, { actor: 'system:timer' });
    expect([escalated.to, policyVersionOf(escalated.case)]).toEqual(['open.stage1b', 2]);
    expect(escalated.effects.map((e) => (e.params as { template?: string }).template).filter(Boolean)).toContain('west-coventry/letter-b');

    await page.goto(`/cases/${chloe.id}/timeline`);
    await expect(page.getByText('version 2 of the school’s attendance policy').count()).resolves.toBe(2);
    await page.goto(`/cases/${opened[0]!.id}/timeline`);
    await expect(page.getByText(/Moved from version 1 to version 2 of the school’s policy/).isVisible()).resolves.toBe(true);
    // Chloe's Letter A, as the worker made and sent it: the school's letterhead, its own words, version 2's target.
    const letterA = async () => (await store.listMessages({ caseId: chloe.id })).find((m) => m.template === 'west-coventry/letter-a' && m.pdf);
    await waitUntil(async () => Boolean(await letterA()), 60_000);
    const text = (await pdfText((await letterA())!.pdf!)).replace(/\s+/g, ' ');
    expect(text).toContain(`${OWN_WORDS}: at Oak Park Academy we aim for 96% or above.`);
    expect(text).toContain('Oak Lane, West Bromwich B70 1AA');
    expect(text).toContain('Mrs O. Adeyemi Attendance Champion');
    await page.context().close();
  }, 240_000);
});
