import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { convert } from 'html-to-text';
import nunjucks from 'nunjucks';
import type { LetterData } from './letter-data.ts';
import { templateKind } from './catalogue.ts';
import { checkWording, refusalOf, shapeOf } from './template-check.ts';
import { longDate, pct, shortDate } from '../domain/words.ts';

const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));
const TEMPLATE_ID = /^[a-z0-9-]+\/[a-z0-9-]+$/;

function pounds(value: number): string {
  return `£${value.toFixed(0)}`;
}

// throwOnUndefined makes a field the data lacks an error, never a blank in a letter to a parent;
// autoescape keeps names and free text from becoming markup.
const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(TEMPLATES_DIR, { noCache: false }), {
  autoescape: true,
  throwOnUndefined: true,
  trimBlocks: true,
  lstripBlocks: true,
});
env.addFilter('longDate', longDate);
env.addFilter('shortDate', shortDate);
env.addFilter('pct', pct);
env.addFilter('pounds', pounds);

export class TemplateError extends Error {
  override name = 'TemplateError';
}

export interface RenderedMessage {
  subject: string;
  /** The whole HTML document, as emailed and as the PDF is drawn from. */
  html: string;
  text: string;
}

export function templateExists(id: string): boolean {
  return TEMPLATE_ID.test(id) && existsSync(`${TEMPLATES_DIR}${id}.njk`);
}

const between = (html: string, open: RegExp, close: string) => {
  const start = html.search(open);
  if (start < 0) return '';
  const from = html.indexOf('>', start) + 1;
  return html.slice(from, html.indexOf(close, from));
};

/** The template file's own source: what a school's wording starts from. */
export function templateSource(id: string): string {
  if (!templateExists(id)) throw new TemplateError(`no template '${id}' in templates/`);
  return readFileSync(`${TEMPLATES_DIR}${id}.njk`, 'utf8');
}

/**
 * Renders one letter or email; the subject is the document's <title>. `wording` is the school's own
 * source for this template (school-letters.ts), checked again here as it was before it was saved.
 */
export function renderMessage(id: string, data: LetterData, wording?: string): RenderedMessage {
  if (!templateExists(id)) throw new TemplateError(`no template '${id}' in templates/`);
  const rendered = wording === undefined ? renderTemplateFile(id, data) : renderWording(id, wording, data);
  return templateKind(id) === 'notification' ? { ...rendered, subject: subjectWithoutPupil(rendered.subject, data) } : rendered;
}

/** Compiled wordings by their source: a school's letters are made many times a day from a few. */
const compiled = new Map<string, nunjucks.Template>();

/** A school's wording of a template, kept to the merge fields (template-check.ts); a TemplateRefusal names the line of a problem. */
export function renderWording(id: string, source: string, data: object): RenderedMessage {
  checkWording(source, shapeOf(data));
  let template = compiled.get(source);
  if (!template) {
    try {
      template = new nunjucks.Template(source, env, `your wording of ${id}`, true);
    } catch (error) {
      throw refusalOf(error, source);
    }
    if (compiled.size >= 200) compiled.delete(compiled.keys().next().value!);
    compiled.set(source, template);
  }
  let html: string;
  try {
    html = template.render(data);
  } catch (error) {
    throw refusalOf(error);
  }
  return readMessage(id, html);
}

function renderTemplateFile(id: string, data: object): RenderedMessage {
  let html: string;
  try {
    html = env.render(`${id}.njk`, data);
  } catch (error) {
    throw new TemplateError(`template '${id}': ${(error as Error).message}`, { cause: error });
  }
  return readMessage(id, html);
}

/** The subject and plain text of a rendered document. */
function readMessage(id: string, html: string): RenderedMessage {
  const subject = convert(between(html, /<title/, '</title>'), { wordwrap: false }).trim();
  if (!subject) throw new TemplateError(`template '${id}' has no subject (an empty <title>)`);
  const text = convert(between(html, /<body/, '</body>'), {
    wordwrap: 78,
    selectors: [
      ...['h1', 'h2', 'h3'].map((selector) => ({ selector, options: { uppercase: false } })),
      // The letterhead's logo is a data: URL: words only in the text part.
      { selector: 'img', format: 'skip' },
      { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
    ],
  });
  return { subject, html, text };
}

/** What the email carrying a notification knows: nothing about the pupil (see templates/layouts/notification-link.njk). */
export interface NotificationLinkData {
  subject: string;
  school: { name: string };
  recipient: { name: string };
  reference: string;
  today: string;
  link: { url: string; expiresOn: string };
  evidenceLink: { url: string; expiresOn: string } | null;
}

/** The email a notification leaves the school as: its subject (already pupil-free), school, reference and signed link. */
export function renderNotificationLink(data: NotificationLinkData): RenderedMessage {
  return renderTemplateFile('layouts/notification-link', data);
}

/** The case's short reference, as staff quote it to the EWO or LA: the first 8 characters of its id. */
export const caseReference = (caseId: string) => caseId.replace(/[^0-9a-z]/gi, '').slice(0, 8).toUpperCase();

/**
 * A subject line travels further than a body (mail logs, notifications on a locked phone, the
 * LA's ticketing system): an email to a professional names no pupil in it, only the case's
 * reference. Whatever the template says, the name and UPN are replaced.
 */
export function subjectWithoutPupil(subject: string, data: Pick<LetterData, 'pupil' | 'case'>): string {
  const reference = `a pupil (ref ${caseReference(data.case.id)})`;
  const { fullName, forename, surname, upn } = data.pupil;
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  let line = [fullName, upn].filter(Boolean).reduce((text, part) => text.split(part).join(reference), subject);
  // A forename or surname on its own, as a whole word only ('Lea' must not touch 'Leading').
  for (const part of [surname, forename].filter(Boolean)) line = line.replace(new RegExp(`(?<![\\p{L}])${escape(part)}(?![\\p{L}])`, 'gu'), reference);
  return line.replace(new RegExp(`(${escape(reference)}\\s*)+`, 'g'), `${reference} `).replace(/\s+([),.:;])/g, '$1').trim();
}
