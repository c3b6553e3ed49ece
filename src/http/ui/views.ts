import path from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';

const VIEWS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'views');

const LONDON = 'Europe/London';
const asDate = (value: Date | string) => (typeof value === 'string' ? new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T12:00:00Z` : value) : value);

export const shortDate = (value: Date | string | null | undefined) =>
  value == null ? '' : asDate(value).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: LONDON });
export const dateTime = (value: Date | string | null | undefined) =>
  value == null ? '' : asDate(value).toLocaleString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: LONDON });
export const pct = (value: number | null | undefined) => (value == null ? '–' : `${value.toFixed(1)}%`);

/** For text placed inside server-made SVG, which nunjucks does not escape. */
export const escapeXml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** camelCase and dotted state names as words: `open.penaltyNotice` → `Penalty notice`. */
export function words(name: string): string {
  const last = name.split('.').filter((part) => part !== 'open').join(' ') || name;
  const spaced = last.replace(/([a-z])([A-Z0-9])/g, '$1 $2').replace(/([0-9])([a-z])/g, '$1$2').toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** A letter template id as its name: `west-coventry/letter-a` → "Letter A". */
export function templateName(id: string): string {
  const name = (id.split('/').at(-1) ?? id).replace(/-/g, ' ').replace(/ ([a-z0-9])$/, (_match, last: string) => ` ${last.toUpperCase()}`);
  return name.charAt(0).toUpperCase() + name.slice(1);
}

// Pages escape everything by default; a missing field renders empty (a page is not a legal letter).
const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(VIEWS_DIR), { autoescape: true, trimBlocks: true, lstripBlocks: true });
env.addFilter('shortDate', shortDate);
env.addFilter('dateTime', dateTime);
env.addFilter('pct', pct);
env.addFilter('words', words);
env.addFilter('templateName', templateName);

export function renderView(view: string, data: Record<string, unknown>): string {
  return env.render(view, data);
}
