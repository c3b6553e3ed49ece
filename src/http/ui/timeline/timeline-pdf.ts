import PDFDocument from 'pdfkit';
import { dateTime, words } from '../../../domain/words.ts';
import type { TimelineItem } from './timeline-entries.ts';
import { breakLongWords } from '../../../letters/pdf.ts';
import { drawOffThread, siblingModule } from '../../../letters/pdf-pool.ts';

type Heading = { title: string; school: string; upn: string; stage: string; printedAt: Date };

/** The timeline as a PDF for a meeting or a court bundle, drawn on a PDF worker thread (a long case's timeline is many pages). */
export function timelinePdf(heading: Heading, items: readonly TimelineItem[]): Promise<Buffer> {
  return drawOffThread(siblingModule(import.meta.url, './timeline-pdf'), 'drawTimelinePdf', [heading, items]);
}

/** The drawing itself, with pdfkit, so it needs no browser on the server. Runs on a PDF worker: see timelinePdf. */
export function drawTimelinePdf(heading: Heading, items: readonly TimelineItem[]): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `Case timeline: ${heading.title}` } });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.font('Helvetica-Bold').fontSize(18).text(breakLongWords(`Case timeline: ${heading.title}`));
  doc.font('Helvetica').fontSize(10).fillColor('#505a5f').text(`${heading.school} · UPN ${heading.upn} · now at ${heading.stage} · printed ${dateTime(heading.printedAt)}`);
  doc.moveDown();
  for (const item of items) {
    doc.fillColor('#0b0c0c').font('Helvetica-Bold').fontSize(11).text(`${dateTime(item.at)}  ·  ${words(item.kind).toUpperCase()}`, { continued: false });
    doc.font('Helvetica-Bold').fontSize(11).text(breakLongWords(item.title));
    doc.font('Helvetica').fontSize(10).text(breakLongWords(`By: ${item.who}`));
    for (const row of item.evidence) doc.font('Helvetica-Bold').text(`${row.label}: `, { continued: true }).font('Helvetica').text(breakLongWords(row.value));
    doc.moveDown(0.8);
  }
  doc.end();
  return done;
}
