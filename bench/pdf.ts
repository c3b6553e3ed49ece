// npx tsx bench/pdf.ts [--rows 1000,3000,6000] [--letters 8]: PDF drawing on the main thread
// against the worker pool (src/letters/pdf-pool.ts). No database. For each size: wall time, and the
// longest the main thread's event loop was held meanwhile (what /healthz would have waited).
import { parseArgs } from 'node:util';
import os from 'node:os';
import { htmlToPdf } from '../src/letters/pdf.ts';
import { letterPdf } from '../src/letters/pdf-pool.ts';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000,3000,6000' }, letters: { type: 'string', default: '8' } } });
const sizes = values.rows.split(',').map(Number);
const letters = Number(values.letters);

const certificate = (rows: number) =>
  `<html><body><h1>Attendance certificate</h1><table><tr><th>Date</th><th>Session</th><th>Code</th><th>Meaning</th></tr>${Array.from(
    { length: rows },
    (_, i) => `<tr><td>Session ${i + 1}</td><td>${i % 2 ? 'PM' : 'AM'}</td><td>O</td><td>Unauthorised absence recorded by the office after a call home</td></tr>`,
  ).join('')}</table></body></html>`;
const letter = (n: number) => `<html><body><p class="school">School One</p><h1>Letter ${n}</h1>${'<p>Dear parent, attendance matters to every child. '.repeat(30)}</p></body></html>`;
const meta = { title: 'bench', author: 'bench' };

/** Runs `work` while sampling the event loop: wall ms and the longest single stall (ms). */
async function measure(work: () => Promise<unknown>) {
  let longest = 0;
  let last = performance.now();
  const ticking = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 5);
  const started = performance.now();
  await work();
  const wallMs = performance.now() - started;
  // One more tick, so a stall that ends with the work is counted.
  await new Promise((resolve) => setTimeout(resolve, 20));
  clearInterval(ticking);
  return { wallMs: Math.round(wallMs), longestStallMs: Math.round(longest) };
}

// Warm both paths (pdfkit's fonts, the workers' start) so the figures are of drawing, not loading.
await htmlToPdf(certificate(1000), meta);
await Promise.all([letterPdf(certificate(1000), meta), letterPdf(certificate(1000), meta)]);

const results = [];
for (const rows of sizes) {
  const html = certificate(rows);
  results.push({ document: `certificate of ${rows} sessions`, mainThread: await measure(() => htmlToPdf(html, meta)), workerPool: await measure(() => letterPdf(html, meta)) });
}
results.push({
  document: `${letters} letters at once`,
  mainThread: await measure(() => Promise.all(Array.from({ length: letters }, (_, n) => htmlToPdf(letter(n), meta)))),
  workerPool: await measure(() => Promise.all(Array.from({ length: letters }, (_, n) => letterPdf(letter(n), meta)))),
});
console.log(JSON.stringify({ name: 'pdf', node: process.version, cpus: os.availableParallelism(), results }, null, 1));
