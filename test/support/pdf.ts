// Reads PDFs back for the tests with pdf.js (pure JavaScript) and draws their pages with
// @napi-rs/canvas (its binary ships inside the npm package): no poppler, no system packages.
import { createCanvas } from '@napi-rs/canvas';
import { getDocument, type PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';

async function open(pdf: Uint8Array): Promise<PDFDocumentProxy> {
  // pdf.js takes ownership of (detaches) the buffer it is given: hand it a copy.
  return getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, isEvalSupported: false, verbosity: 0 }).promise;
}

/** The text of every page, one line per baseline, words in reading order (like `pdftotext -layout`, without the padding). */
export async function pdfText(pdf: Uint8Array): Promise<string> {
  const doc = await open(pdf);
  try {
    const pages: string[] = [];
    for (let n = 1; n <= doc.numPages; n += 1) {
      const content = await (await doc.getPage(n)).getTextContent();
      const lines = new Map<number, { x: number; text: string }[]>();
      for (const item of content.items) {
        if (!('str' in item) || item.str === '') continue;
        const y = Math.round(item.transform[5] as number);
        const line = lines.get(y) ?? [];
        line.push({ x: item.transform[4] as number, text: item.str });
        lines.set(y, line);
      }
      const ordered = [...lines.entries()].sort(([a], [b]) => b - a);
      pages.push(ordered.map(([, items]) => items.sort((a, b) => a.x - b.x).map((item) => item.text).join(' ')).join('\n'));
    }
    return pages.join('\n\f');
  } finally {
    await doc.destroy();
  }
}

/** Each piece of text on a page with its box, in points from the page's top left corner (as a ruler on the printed sheet reads). */
export async function pdfTextBoxes(pdf: Uint8Array, pageNumber = 1): Promise<{ text: string; left: number; top: number; right: number; bottom: number }[]> {
  const doc = await open(pdf);
  try {
    const page = await doc.getPage(pageNumber);
    const pageHeight = page.getViewport({ scale: 1 }).height;
    const content = await page.getTextContent();
    return content.items.flatMap((item) => {
      if (!('str' in item) || item.str.trim() === '') return [];
      const [, , , fontSize, x, baseline] = item.transform as number[];
      const bottom = pageHeight - (baseline ?? 0);
      return [{ text: item.str, left: x ?? 0, top: bottom - Math.abs(fontSize ?? item.height), right: (x ?? 0) + item.width, bottom }];
    });
  } finally {
    await doc.destroy();
  }
}

/** Pages `first`..`last` (1-based, inclusive) drawn as PNG pictures at `dpi` dots per inch. */
export async function pdfPages(pdf: Uint8Array, { dpi = 60, first = 1, last = Infinity }: { dpi?: number; first?: number; last?: number } = {}): Promise<Buffer[]> {
  const doc = await open(pdf);
  try {
    const pictures: Buffer[] = [];
    for (let n = first; n <= Math.min(last, doc.numPages); n += 1) {
      const page = await doc.getPage(n);
      const viewport = page.getViewport({ scale: dpi / 72 });
      const canvas = createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
      const context = canvas.getContext('2d');
      context.fillStyle = '#fff';
      context.fillRect(0, 0, canvas.width, canvas.height);
      // pdf.js is typed for the DOM's canvas; @napi-rs/canvas implements the same drawing API.
      await page.render({ canvas, canvasContext: context, viewport } as unknown as Parameters<typeof page.render>[0]).promise;
      pictures.push(canvas.toBuffer('image/png'));
    }
    return pictures;
  } finally {
    await doc.destroy();
  }
}

/** How many pictures (images) a page draws: a letterhead's logo is one. */
export async function pdfImageCount(pdf: Uint8Array, pageNumber = 1): Promise<number> {
  const { OPS } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await open(pdf);
  try {
    const { fnArray } = await (await doc.getPage(pageNumber)).getOperatorList();
    return fnArray.filter((op) => op === OPS.paintImageXObject || op === OPS.paintInlineImageXObject).length;
  } finally {
    await doc.destroy();
  }
}
