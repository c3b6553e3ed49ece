import PDFDocument from 'pdfkit';
import { parseDocument } from 'htmlparser2';
import type { ChildNode, Element } from 'domhandler';

/**
 * Draws a printable letter from the same HTML the email carries, with pdfkit (pure JavaScript:
 * no browser to install). The templates keep to a small vocabulary (headings, paragraphs, lists,
 * tables, strong/em, br, an enclosure section), and that is what this draws.
 */

const MARGIN = 56;
const FONTS = { regular: 'Helvetica', bold: 'Helvetica-Bold', italic: 'Helvetica-Oblique', boldItalic: 'Helvetica-BoldOblique' };
const SIZES: Record<string, number> = { h1: 15, h2: 12.5, h3: 11, p: 10.5, li: 10.5 };

const MM = 72 / 25.4;

/**
 * Where the addressee shows through a window envelope. What this assumes: the usual UK DL window
 * envelope (110 × 220 mm) has a 90 × 45 mm window 20 mm from the left and 15 mm from the bottom,
 * so 50–95 mm from its top. An A4 sheet folded in three has a 99 mm top panel, free to slide up to
 * 11 mm down inside it, so the part of the sheet the window always shows is 20–110 mm across and
 * 50–84 mm down. The address goes inside that with a clear margin (Royal Mail asks for clear space
 * round an address in a window): 25 mm from the left, 80 mm wide, 52–82 mm down. That block also
 * lies inside the DIN 5008 / ISO 269 address field (20 mm from the left, 45–90 mm down, 85 mm
 * wide) that C5 and C6/5 window envelopes for A4 are made to, so a sheet folded once for a C5
 * window envelope shows it too. Schools using other stock should check one letter against it.
 */
export const ENVELOPE_WINDOW = { left: 20 * MM, top: 50 * MM, width: 90 * MM, height: 45 * MM } as const;
export const ADDRESS_BLOCK = { left: 25 * MM, top: 52 * MM, width: 80 * MM, height: 30 * MM } as const;
/** The school's logo sits in this box at the top right of the first page, the school's name and address beside it. */
export const LOGO_BOX = { width: 50 * MM, height: 22 * MM } as const;
const LOGO_GAP = 4 * MM;
/** The first page's letter begins below the window, so nothing but the address shows through it. */
const BELOW_WINDOW = ENVELOPE_WINDOW.top + ENVELOPE_WINDOW.height + 4 * MM;

interface Run {
  text: string;
  bold: boolean;
  italic: boolean;
}

const isElement = (node: ChildNode): node is Element => node.type === 'tag' || node.type === 'script' || node.type === 'style';

/**
 * pdfkit wraps one long unbroken word in super-linear time (32,000 characters: seconds), and a
 * word longer than a line cannot be laid out anyway: a break opportunity (a zero-width space) goes
 * into any run of more than LONGEST_WORD characters without a space.
 */
const LONGEST_WORD = 60;
const longWord = new RegExp(`\\S{${LONGEST_WORD + 1},}`, 'g');
export function breakLongWords(text: string): string {
  return text.replace(longWord, (word) => word.match(new RegExp(`.{1,${LONGEST_WORD}}`, 'gsu'))!.join('\u200B'));
}

function runs(node: ChildNode, bold = false, italic = false): Run[] {
  if (node.type === 'text') return [{ text: breakLongWords(node.data.replace(/\s+/g, ' ')), bold, italic }];
  if (!isElement(node)) return [];
  if (node.name === 'br') return [{ text: '\n', bold, italic }];
  const b = bold || node.name === 'strong' || node.name === 'b' || node.name === 'th';
  const i = italic || node.name === 'em' || node.name === 'i';
  return node.children.flatMap((child) => runs(child, b, i));
}

function plain(node: ChildNode): string {
  return runs(node)
    .map((run) => run.text)
    .join('')
    .trim();
}

function fontOf(run: { bold: boolean; italic: boolean }): string {
  if (run.bold) return run.italic ? FONTS.boldItalic : FONTS.bold;
  return run.italic ? FONTS.italic : FONTS.regular;
}

function classes(node: Element): string[] {
  return (node.attribs.class ?? '').split(/\s+/);
}

type Doc = PDFKit.PDFDocument;

function paragraph(doc: Doc, node: Element, size: number, options: { bold?: boolean; prefix?: string; align?: 'left' | 'right'; indent?: number; rightInset?: number } = {}) {
  const parts = runs(node, options.bold ?? false).filter((run) => run.text.length > 0);
  if (parts[0]) parts[0] = { ...parts[0], text: parts[0].text.replace(/^ /, '') };
  const lastRun = parts.length - 1;
  if (parts[lastRun]) parts[lastRun] = { ...parts[lastRun], text: parts[lastRun].text.replace(/ $/, '') };
  if (options.prefix) parts.unshift({ text: options.prefix, bold: false, italic: false });
  if (parts.length === 0) return;
  const x = MARGIN + (options.indent ?? 0);
  const width = doc.page.width - MARGIN - x - (options.rightInset ?? 0);
  // A <br> starts a new chain of runs: pdfkit ignores a newline inside a continued chain.
  const lines = parts.reduce<Run[][]>((acc, run) => (run.text === '\n' ? [...acc, []] : (acc[acc.length - 1]?.push(run), acc)), [[]]);
  for (const line of lines.filter((candidate) => candidate.length > 0)) {
    const final = line.length - 1;
    // pdfkit lays out a continued chain from its first call's options; repeating them breaks the line.
    line.forEach((run, index) => {
      doc.font(fontOf(run)).fontSize(size);
      if (index === 0) doc.text(run.text.replace(/^ /, ''), x, doc.y, { width, align: options.align ?? 'left', continued: final > 0 });
      else doc.text(run.text, { continued: index < final });
    });
  }
  doc.moveDown(0.5);
}

/**
 * Column widths as a browser's automatic table layout sets them: each column first gets its
 * longest unbreakable run (a date is kept whole with no-break spaces), then the room left goes to
 * the columns with more to say, in proportion. Equal columns split "Wednesday 23 October 2024".
 */
function columnWidths(doc: Doc, rows: Element[][], columns: number, width: number, size: number, pad: number): number[] {
  doc.font(FONTS.regular).fontSize(size);
  const least = Array<number>(columns).fill(2 * pad);
  const most = Array<number>(columns).fill(2 * pad);
  for (const cells of rows) {
    cells.forEach((cell, i) => {
      const text = plain(cell);
      const longestRun = Math.max(0, ...text.split(/[ \n]+/).map((run) => doc.widthOfString(run)));
      least[i] = Math.max(least[i]!, Math.min(longestRun, width / 2) + 2 * pad + 1);
      most[i] = Math.max(most[i]!, doc.widthOfString(text) + 2 * pad + 1);
    });
  }
  const minimum = least.reduce((sum, w) => sum + w, 0);
  if (minimum >= width) return least.map((w) => (w / minimum) * width);
  const extra = most.map((w, i) => w - least[i]!);
  const wanted = extra.reduce((sum, w) => sum + w, 0);
  return least.map((w, i) => w + (wanted > 0 ? ((width - minimum) * extra[i]!) / wanted : (width - minimum) / columns));
}

function table(doc: Doc, node: Element) {
  const rows = node.children.flatMap(function collect(child): Element[] {
    if (!isElement(child)) return [];
    if (child.name === 'tr') return [child];
    return child.children.flatMap(collect);
  });
  const cellsOf = (row: Element) => row.children.filter(isElement).filter((cell) => cell.name === 'td' || cell.name === 'th');
  const columns = Math.max(...rows.map((row) => cellsOf(row).length));
  if (!Number.isFinite(columns) || columns === 0) return;
  const width = doc.page.width - 2 * MARGIN;
  // A wide table is the register grid: its first column (the week) needs more room than a code.
  const size = columns > 6 ? 8 : 9;
  const pad = 3;
  const widths = columns > 6 ? [width * 0.16, ...Array<number>(columns - 1).fill((width * 0.84) / (columns - 1))] : columnWidths(doc, rows.map(cellsOf), columns, width, size, pad);
  for (const row of rows) {
    const cells = cellsOf(row);
    doc.fontSize(size);
    const height =
      Math.max(...cells.map((cell, i) => doc.font(cell.name === 'th' ? FONTS.bold : FONTS.regular).heightOfString(plain(cell) || ' ', { width: (widths[i] ?? 0) - 2 * pad }))) + 2 * pad;
    if (doc.y + height > doc.page.height - MARGIN) doc.addPage();
    const top = doc.y;
    let x = MARGIN;
    cells.forEach((cell, i) => {
      const w = widths[i] ?? 0;
      doc.lineWidth(0.5).strokeColor('#888').rect(x, top, w, height).stroke();
      doc.fillColor('#000').font(cell.name === 'th' ? FONTS.bold : FONTS.regular).fontSize(size);
      doc.text(plain(cell), x + pad, top + pad, { width: w - 2 * pad });
      x += w;
    });
    doc.y = top + height;
  }
  doc.x = MARGIN;
  doc.moveDown(0.7);
}

/**
 * The addressee's name and address in the window: at 10 pt where it fits, smaller for a long
 * address, and each line cut short rather than wrapped (a wrapped line could leave the window).
 */
function envelopeWindow(doc: Doc, lines: string[]) {
  const { left, top, width, height } = ADDRESS_BLOCK;
  doc.font(FONTS.regular);
  const widest = (size: number) => Math.max(...lines.map((line) => doc.fontSize(size).widthOfString(line)));
  const size = [10, 9.5, 9, 8.5, 8].find((candidate) => widest(candidate) <= width && lines.length * doc.fontSize(candidate).currentLineHeight(true) <= height) ?? 8;
  doc.fontSize(size);
  const step = doc.currentLineHeight(true);
  const fitted = (line: string) => {
    let shown = line;
    while (shown.length > 1 && doc.widthOfString(shown === line ? shown : `${shown}…`) > width) shown = shown.slice(0, -1).trimEnd();
    return shown === line ? line : `${shown}…`;
  };
  lines.slice(0, Math.floor(height / step)).forEach((line, i) => {
    doc.text(fitted(line), left, top + i * step, { lineBreak: false });
  });
  doc.x = MARGIN;
  doc.y = MARGIN;
}

interface Layout {
  /** Lines printed in the envelope window on the first page; the first page's text then begins below it. */
  window: string[] | null;
  firstPage: boolean;
  /** Room kept on the right of the letterhead's lines for the logo drawn there (0: none). */
  logoInset: number;
}

const DATA_IMAGE = /^data:image\/(png|jpeg);base64,([A-Za-z0-9+/=]+)$/;

/**
 * The school's logo (a data: URL of the PNG or JPEG it uploaded, checked then) in the box at the top
 * right of the first page, scaled to fit; where the text is does not move.
 */
function logo(doc: Doc, node: Element, layout: Layout) {
  const image = DATA_IMAGE.exec(node.attribs.src ?? '');
  if (!image || !layout.firstPage || layout.logoInset > 0) return;
  const { x, y } = doc;
  doc.image(Buffer.from(image[2] ?? '', 'base64'), doc.page.width - MARGIN - LOGO_BOX.width, MARGIN, { fit: [LOGO_BOX.width, LOGO_BOX.height], align: 'right' });
  doc.x = x;
  doc.y = y;
  layout.logoInset = LOGO_BOX.width + LOGO_GAP;
}

function block(doc: Doc, node: ChildNode, layout: Layout) {
  if (!isElement(node)) return;
  if (layout.window && layout.firstPage) {
    const cls = node.name === 'p' ? classes(node) : [];
    // The template's own addressee paragraph is what the window shows.
    if (cls.includes('addressee')) return;
    if (node.name !== 'img' && !cls.includes('school') && !cls.includes('letterhead') && !cls.includes('date') && doc.y < BELOW_WINDOW) doc.y = BELOW_WINDOW;
  }
  switch (node.name) {
    case 'h1':
    case 'h2':
    case 'h3':
      doc.moveDown(0.3);
      paragraph(doc, node, SIZES[node.name] ?? 11, { bold: true });
      return;
    case 'p': {
      const cls = classes(node);
      const inset = layout.firstPage ? layout.logoInset : 0;
      if (cls.includes('school')) return paragraph(doc, node, 16, { bold: true, rightInset: inset });
      if (cls.includes('letterhead')) return paragraph(doc, node, 9, { rightInset: inset });
      if (cls.includes('date')) {
        // Below the logo, whatever the lines beside it took.
        if (inset > 0) doc.y = Math.max(doc.y, MARGIN + LOGO_BOX.height + 2 * MM);
        return paragraph(doc, node, SIZES.p ?? 10.5, { align: 'right' });
      }
      return paragraph(doc, node, SIZES.p ?? 10.5);
    }
    case 'ul':
    case 'ol':
      node.children.filter(isElement).forEach((item, index) =>
        paragraph(doc, item, SIZES.li ?? 10.5, { prefix: node.name === 'ol' ? `${index + 1}. ` : '•  ', indent: 14 }),
      );
      return;
    case 'table':
      return table(doc, node);
    case 'img':
      return logo(doc, node, layout);
    case 'section':
      if (classes(node).includes('enclosure')) doc.addPage();
      node.children.forEach((child) => block(doc, child, layout));
      return;
    case 'style':
    case 'script':
      return;
    default:
      node.children.forEach((child) => block(doc, child, layout));
  }
}

/**
 * A printable A4 PDF of an HTML document rendered from templates/. A letter for posting passes
 * `envelope`: the addressee's name and address lines, printed where the envelope window shows them.
 */
export function htmlToPdf(html: string, meta: { title: string; author: string }, options: { envelope?: string[] | null } = {}): Promise<Buffer> {
  const dom = parseDocument(html);
  const doc = new PDFDocument({ size: 'A4', margin: MARGIN, info: { Title: meta.title, Author: meta.author } });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const body = dom.children.flatMap(function find(node): Element[] {
    if (!isElement(node)) return [];
    if (node.name === 'body') return [node];
    return node.children.flatMap(find);
  })[0];
  if (!body) throw new Error('a letter needs a <body>');
  const layout: Layout = { window: options.envelope ?? null, firstPage: true, logoInset: 0 };
  doc.on('pageAdded', () => {
    layout.firstPage = false;
  });
  if (layout.window) envelopeWindow(doc, layout.window);
  body.children.forEach((child) => block(doc, child, layout));
  doc.end();
  return done;
}
