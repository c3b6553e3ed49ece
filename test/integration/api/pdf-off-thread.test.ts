// Issue 17, item 2: no single document can hold the event loop. PDFs are drawn on worker threads
// (src/letters/pdf-pool.ts), so the service answers /healthz while a big one is drawn.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createWorld, type World } from './world.ts';
import { pdfText } from '../../support/pdf.ts';
import { letterPdf } from '../../../src/letters/pdf-pool.ts';
import { timelinePdf } from '../../../src/http/ui/timeline/timeline-pdf.ts';

/** An attendance certificate of `rows` sessions: drawn in place, seconds of pdfkit layout with no yield (1 to 4 s for 6,000 here, by load). */
const bigCertificate = (rows: number) =>
  `<html><head><title>Evidence pack</title></head><body><h1>Attendance certificate</h1><table><tr><th>Date</th><th>Session</th><th>Code</th><th>Meaning</th></tr>${Array.from(
    { length: rows },
    (_, i) => `<tr><td>Session ${i + 1}</td><td>${i % 2 ? 'PM' : 'AM'}</td><td>O</td><td>Unauthorised absence recorded by the office after a call home</td></tr>`,
  ).join('')}</table></body></html>`;

describe('PDFs are drawn off the main thread', () => {
  let world: World;
  let server: Server;
  let base: string;
  beforeAll(async () => {
    world = await createWorld();
    server = await new Promise<Server>((resolve) => {
      const listening = world.app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await world?.close();
  });

  it('when a 6,000-row evidence PDF is being drawn, then /healthz answers promptly all the while', async () => {
    let drawn = false;
    const drawing = letterPdf(bigCertificate(6_000), { title: 'Evidence pack', author: 'School One' }).finally(() => {
      drawn = true;
    });
    const answers: { status: number; ms: number }[] = [];
    while (!drawn) {
      const started = performance.now();
      const health = await fetch(`${base}/healthz`);
      await health.body?.cancel();
      // Only answers given while the document was still being drawn count.
      if (!drawn) answers.push({ status: health.status, ms: performance.now() - started });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const pdf = await drawing;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(await pdfText(pdf)).toContain('Session 6000');
    // Drawn on the main thread, the call returns only once layout is done: no answer comes meanwhile.
    expect(answers.length, 'health checks answered while the PDF was drawn').toBeGreaterThanOrEqual(3);
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(Math.max(...answers.map((answer) => answer.ms)), 'the slowest health check (ms), a generous bound').toBeLessThan(2_000);
  });

  it('when several documents are asked for at once, then each gets its own PDF, and a drawing that fails says why and leaves the pool working', async () => {
    const items = Array.from({ length: 40 }, (_, i) => ({ at: new Date(Date.UTC(2024, 9, 1 + (i % 28))), kind: 'letter' as const, title: `Letter ${i + 1} sent`, who: 'Letters and emails', evidence: [{ label: 'Template', value: 'First letter' }] }));
    const [timeline, ...letters] = await Promise.all([
      timelinePdf({ title: 'a pupil', school: 'School One', upn: 'A123456789012', stage: 'Stage 1', printedAt: new Date('2024-10-14T09:00:00Z') }, items),
      ...[1, 2, 3].map((n) => letterPdf(`<html><body><p>Letter number ${n}</p></body></html>`, { title: `Letter ${n}`, author: 'School One' })),
    ]);
    expect(await pdfText(timeline!)).toContain('Letter 40 sent');
    expect(await Promise.all(letters.map(pdfText))).toEqual([expect.stringContaining('Letter number 1'), expect.stringContaining('Letter number 2'), expect.stringContaining('Letter number 3')]);
    await expect(letterPdf('<p>no body element</p>', { title: 't', author: 'a' })).rejects.toThrow(/needs a <body>/);
    expect(await pdfText(await letterPdf('<html><body><p>Still working</p></body></html>', { title: 't', author: 'a' }))).toContain('Still working');
  });
});
