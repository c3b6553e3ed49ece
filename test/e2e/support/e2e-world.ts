// One running service (the real app, worker and demo trusts on a fresh database) and one
// Chromium for the browser suites (test/support/browser.ts says which one).
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../support/browser.ts';
import { AxeBuilder } from '@axe-core/playwright';
import { expect } from 'vitest';
import { freshDatabaseUrl } from '../../support/postgres.ts';
import { loadConfig, startService, type Service } from '../../../src/main.ts';
import { DEMO_PASSWORD } from '../../../src/access/demo-accounts.ts';
import { codeWordReport } from '../../support/plain-words.ts';

const SCREENSHOTS = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'screenshots');

export const ACCOUNTS = {
  pastoral: 'pastoral@west-coventry.demo',
  champion: 'champion@west-coventry.demo',
  ewo: 'ewo.coventry@coventry.demo',
  lead: 'lead@threespires.demo',
  admin: 'admin@attendance.demo',
} as const;
export type Who = keyof typeof ACCOUNTS;

export const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 375, height: 812 } } as const;

export interface E2EWorld {
  service: Service;
  browser: Browser;
  url: string;
  /** A fresh browser context signed in through the sign-in page. */
  signIn(who: Who, viewport?: keyof typeof VIEWPORTS): Promise<Page>;
  close(): Promise<void>;
}

/** `settings` adds to (or replaces) the service's environment, e.g. SMTP_URL for a suite's own mail server. */
export async function startE2EWorld(settings: Record<string, string> = {}): Promise<E2EWorld> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'attendance-e2e-'));
  const config = loadConfig({ DATABASE_URL: await freshDatabaseUrl(), DEMO: 'true', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', DATA_DIR: dataDir, ROLE: 'all', ...settings });
  const service = await startService(config);
  const browser = await launchChromium();
  const url = service.url!;
  return {
    service,
    browser,
    url,
    async signIn(who, viewport = 'desktop') {
      const context = await browser.newContext({ viewport: VIEWPORTS[viewport], baseURL: url });
      const page = await context.newPage();
      await page.goto('/signin');
      await page.getByLabel('Email address').fill(ACCOUNTS[who]);
      await page.getByLabel('Password').fill(DEMO_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((target) => !target.pathname.startsWith('/signin'));
      return page;
    },
    async close() {
      await browser.close();
      await service.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Fails on any serious or critical WCAG 2.x A/AA violation of the page as it is now, and on any of
 * our identifiers or unrounded numbers in what it says (so every page a suite checks is also read
 * for its words).
 */
export async function expectAccessible(page: Page): Promise<void> {
  await expectPlainWords(page);
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  const bad = results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  expect(bad.map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).slice(0, 3).join(', ')})`), page.url()).toEqual([]);
}

/** The page at desktop and phone widths, full length, into test/e2e/screenshots/. */
export async function screenshots(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  for (const [label, size] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(size);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${label}.png`), fullPage: true });
  }
  // What a phone shows first, small enough to look at whole.
  await page.setViewportSize(VIEWPORTS.phone);
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-phone-top.png`) });
  await page.setViewportSize(VIEWPORTS.desktop);
}

/**
 * Everything a person can read on the page: its text (closed <details> opened for the reading,
 * then closed again), the title, labels and tooltips that assistive technology and a mouse show,
 * and the words inside drawn charts. Left out: text set as code (<code>, <kbd>, <samp>), which is
 * what a person must type exactly, such as a CSV file's column names.
 */
export async function pageWords(page: Page): Promise<string> {
  return page.evaluate(`(() => {
    const closed = [...document.querySelectorAll('details:not([open])')];
    for (const details of closed) details.open = true;
    const typed = [...document.querySelectorAll('code, kbd, samp')];
    for (const element of typed) element.hidden = true;
    const parts = [document.title, document.body.innerText];
    for (const element of typed) element.hidden = false;
    for (const details of closed) details.open = false;
    for (const element of document.querySelectorAll('[title], [aria-label], [alt], [placeholder]')) {
      for (const name of ['title', 'aria-label', 'alt', 'placeholder']) if (element.hasAttribute(name)) parts.push(element.getAttribute(name));
    }
    for (const element of document.querySelectorAll('svg title, svg text, svg desc')) parts.push(element.textContent);
    return parts.join('\\n');
  })()`);
}

/** Fails naming each identifier-like word or unrounded number on the page, and the page. */
export async function expectPlainWords(page: Page, where = new URL(page.url()).pathname + new URL(page.url()).search): Promise<void> {
  expect(codeWordReport(where, await pageWords(page))).toBe('');
}
