import { AppError } from '../errors.ts';
import type { Policy } from '../domain/policy.ts';
import type { School, SchoolLetterhead, Store } from '../store/types.ts';
import { recipientOf, STAFF_TEMPLATES, templateKind, templatesOf, type TemplateKind } from './catalogue.ts';
import { addressTo, assembleLetterData, type LetterSource, type SchoolLetters } from './letter-data.ts';
import { readLogo } from './logo.ts';
import { letterPdf } from './pdf-pool.ts';
import { envelopeLines, notificationAddressees, parentAddressees } from './recipients.ts';
import { renderMessage, type RenderedMessage } from './render.ts';
import { TemplateRefusal } from './template-check.ts';

/**
 * A school's letters in its own voice: its letterhead and signatory, and its own wording of any
 * template its policy sends (or its staff can produce). A wording is tried on a sample case before
 * it is kept, and refused (naming the line) if it does not render; the model letters in
 * templates/ stay the defaults. A letter already made keeps its stored PDF and email: changes
 * apply to letters made from then on.
 */

export async function lettersOf(store: Store, schoolId: string): Promise<SchoolLetters> {
  const [letterhead, overrides] = await Promise.all([store.getLetterhead(schoolId), store.listLetterOverrides(schoolId)]);
  return { letterhead, overrides };
}

/** The templates a school's cases can send under its policy, and the staff's own letters. */
export function schoolTemplates(policy: Policy): { id: string; kind: TemplateKind }[] {
  return [...new Set([...templatesOf(policy), ...Object.keys(STAFF_TEMPLATES)])].sort().map((id) => ({ id, kind: templateKind(id) }));
}

export function requireSchoolTemplate(policy: Policy, template: string): void {
  if (!schoolTemplates(policy).some((candidate) => candidate.id === template)) throw new AppError(404, 'not_found', `no letter '${template}' in this school's policy`);
}

export interface LetterheadInput {
  address: string[];
  phone: string | null;
  web: string | null;
  signatoryName: string | null;
  signatoryRole: string | null;
  /** A new logo's bytes; null removes the logo; undefined keeps the one there is. */
  logo?: Buffer | null;
}

/** Saves the school's letterhead; a new logo is checked (PNG or JPEG, size) and drawn once before it is kept. */
export async function saveLetterhead(store: Store, school: School, input: LetterheadInput, by: string, at: Date): Promise<SchoolLetterhead> {
  if (Boolean(input.signatoryName) !== Boolean(input.signatoryRole)) {
    throw new AppError(400, 'invalid_request', 'Give the signatory’s name and their role together (or neither, to sign with each letter’s own role).');
  }
  const current = await store.getLetterhead(school.id);
  let logo = input.logo === undefined ? (current?.logo ?? null) : null;
  if (input.logo) {
    logo = readLogo(input.logo);
    // What the PDF drawing cannot read is refused now, not found when a letter is made.
    const html = `<html><body><img class="logo" src="data:${logo.contentType};base64,${logo.bytes.toString('base64')}"></body></html>`;
    await letterPdf(html, { title: 'logo', author: school.name }).catch(() => {
      throw new AppError(422, 'logo_unreadable', 'The logo could not be read as an image: save it again as a PNG or JPEG and upload that.');
    });
  }
  const letterhead: SchoolLetterhead = { schoolId: school.id, ...input, logo, updatedAt: at, updatedBy: by };
  await store.saveLetterhead(letterhead);
  return letterhead;
}

/** One template rendered for the sample case, as its first addressee would get it. */
export function renderSample(sample: LetterSource, template: string, wording?: string): { rendered: RenderedMessage; envelope: string[] | null } {
  const data = assembleLetterData(sample);
  const kind = templateKind(template);
  // The sample pupil has no social worker: a notification for one is shown addressed to the LA's team.
  const to =
    kind === 'letter'
      ? parentAddressees(sample.contacts)[0]
      : (notificationAddressees(recipientOf(template), sample.school, sample.contacts)[0] ?? notificationAddressees('la', sample.school, sample.contacts)[0]);
  if (!to) throw new Error(`the sample case has nobody to address ${template} to`);
  try {
    return { rendered: renderMessage(template, addressTo(data, to), wording), envelope: kind === 'letter' ? envelopeLines(to) : null };
  } catch (error) {
    if (error instanceof TemplateRefusal) {
      throw new AppError(422, 'wording_refused', `The wording cannot be used: ${error.message}.`, { line: error.line, problems: [{ field: 'source', message: error.message }] });
    }
    throw error;
  }
}

/** The sample case's letter as a PDF: what the page previews, with the school's letterhead and the wording given. */
export async function samplePdf(sample: LetterSource, template: string, wording?: string): Promise<Buffer> {
  const { rendered, envelope } = renderSample(sample, template, wording);
  return letterPdf(rendered.html, { title: rendered.subject, author: sample.school.name }, { envelope });
}

/** Keeps the school's wording of a template once it renders on the sample case; a 422 names the line that does not. */
export async function saveWording(store: Store, sample: LetterSource, template: string, source: string, by: string, at: Date): Promise<void> {
  renderSample(sample, template, source);
  await store.saveLetterOverride({ schoolId: sample.school.id, template, source, updatedAt: at, updatedBy: by });
}
