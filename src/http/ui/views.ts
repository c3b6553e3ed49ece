import path from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';

import { dateTime, longDate, pct, shortDate, templateName, words } from '../../domain/words.ts';

const VIEWS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'views');

/** For text placed inside server-made SVG, which nunjucks does not escape. */
export const escapeXml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// Pages escape everything by default; a missing field renders empty (a page is not a legal letter).
const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(VIEWS_DIR), { autoescape: true, trimBlocks: true, lstripBlocks: true });
env.addFilter('longDate', longDate);
env.addFilter('shortDate', shortDate);
env.addFilter('dateTime', dateTime);
env.addFilter('pct', pct);
env.addFilter('words', words);
env.addFilter('templateName', templateName);

export function renderView(view: string, data: Record<string, unknown>): string {
  return env.render(view, data);
}
