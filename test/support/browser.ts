// The browser for the browser suites: Debian's chromium where it is installed (it starts
// faster), otherwise the Chromium that the npm package @sparticuz/chromium ships inside itself,
// so `npm install` alone is enough. No download at test time, no system packages.
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { inject } from 'vitest';

export const DEBIAN_CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export interface ChromiumToLaunch {
  executablePath: string;
  args: string[];
  source: 'debian' | 'npm';
}

/**
 * Which Chromium to run and with which flags. Called once per run, by the global setup, so that
 * parallel test files never unpack the browser over each other.
 */
export async function chromiumToLaunch(debian = DEBIAN_CHROMIUM): Promise<ChromiumToLaunch> {
  if (existsSync(debian)) return { executablePath: debian, args: FLAGS, source: 'debian' };
  const { default: packaged } = await import('@sparticuz/chromium');
  // executablePath() unpacks the browser to $TMPDIR/chromium once, readable by its owner only:
  // give each user a directory of their own, or a second user on the machine could not run it.
  const dir = path.join(os.tmpdir(), `attendance-chromium-${process.getuid?.() ?? 'user'}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  let executablePath: string;
  try {
    executablePath = await packaged.executablePath();
  } finally {
    if (tmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = tmp;
  }
  // Not packaged.args: they are tuned for AWS Lambda and hold --single-process (the browser ends
  // when its first context closes) and --disable-web-security (the pages' CSP and CORS go untested).
  return { executablePath, args: FLAGS, source: 'npm' };
}

export async function launchChromium(): Promise<Browser> {
  const { executablePath, args } = inject('chromium');
  // Playwright gives every launch a fresh --user-data-dir of its own.
  return chromium.launch({ executablePath, headless: true, args });
}
