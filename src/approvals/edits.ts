import type { RenderedMessage } from '../letters/render.ts';
import type { ApprovalEdit } from '../store/types.ts';

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * The letter a person edited, as it is sent: their subject and text, one paragraph per blank
 * line. The HTML keeps to what the PDF drawer knows (title, paragraphs, line breaks).
 */
export function editedMessage(edit: Pick<ApprovalEdit, 'subject' | 'text'>): RenderedMessage {
  const paragraphs = edit.text
    .replace(/\r\n/g, '\n')
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph.length > 0)
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, '<br>')}</p>`);
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(edit.subject)}</title></head><body>${paragraphs.join('\n')}</body></html>`;
  return { subject: edit.subject, html, text: edit.text };
}

/** A person's edit replaces the template's words, not the link a legal step's recipient needs to see the evidence. */
export function withEvidenceLink<E extends Pick<ApprovalEdit, 'text'>>(edit: E, link: { url: string; expiresOn: string } | null): E {
  return link ? { ...edit, text: `${edit.text}\n\nThe evidence pack: ${link.url} (this link expires on ${link.expiresOn}).` } : edit;
}
