// The browser for the browser suites: Debian's chromium where it is installed (it starts
// faster), otherwise the Chromium that the npm package @sparticuz/chromium ships inside itself,
// so `npm install` alone is enough. No download at test time, no system packages.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const DEBIAN_CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** Which Chromium to run and with which flags. */
export async function chromiumToLaunch(debian = DEBIAN_CHROMIUM): Promise<{ executablePath: string; args: string[]; source: 'debian' | 'npm' }> {
  if (existsSync(debian)) return { executablePath: debian, args: FLAGS, source: 'debian' };
  const { default: packaged } = await import('@sparticuz/chromium');
  // executablePath() unpacks the browser into the temporary directory once per machine.
  const executablePath = await packaged.executablePath();
  // Not packaged.args: they are tuned for AWS Lambda and hold --single-process (the browser ends
  // when its first context closes) and --disable-web-security (the pages' CSP and CORS go untested).
  return { executablePath, args: FLAGS, source: 'npm' };
}

export async function launchChromium(): Promise<Browser> {
  const { executablePath, args } = await chromiumToLaunch();
  // Playwright gives every launch a fresh --user-data-dir of its own.
  return chromium.launch({ executablePath, headless: true, args });
}
