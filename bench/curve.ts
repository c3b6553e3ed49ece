// The cost curve (issue 23): import, evaluation and increment at several trust sizes, with time and
// peak memory per pupil, the exponent of time against pupils fitted by least squares on log-log
// axes (1 is linear), and a small SVG chart of it for bench/README.md.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { BenchResult } from './support.ts';
import type { TrustSize } from './trust.ts';

export const CURVE_BENCHMARKS = ['import', 'evaluate', 'increment'] as const;

/** One size's results, kept in bench/results/curve/<pupils>.json as soon as they are measured. */
export interface CurveRun {
  at: string;
  size: TrustSize;
  marks: number;
  loadAverage: number[];
  results: BenchResult[];
}

const CURVE_DIR = 'bench/results/curve';

export async function saveCurvePoint(run: CurveRun): Promise<void> {
  await fs.mkdir(CURVE_DIR, { recursive: true });
  await fs.writeFile(path.join(CURVE_DIR, `${run.size.pupils}.json`), `${JSON.stringify(run, null, 2)}\n`);
}

/** Every size on file, smallest first. */
export async function curvePoints(): Promise<CurveRun[]> {
  const files = (await fs.readdir(CURVE_DIR).catch(() => [])).filter((file) => file.endsWith('.json'));
  const runs = await Promise.all(files.map(async (file) => JSON.parse(await fs.readFile(path.join(CURVE_DIR, file), 'utf8')) as CurveRun));
  return runs.sort((a, b) => a.size.pupils - b.size.pupils);
}

interface Point {
  pupils: number;
  marks: number;
  wallSeconds: number;
  msPerPupil: number;
  peakRssMb: number;
  peakRssKbPerPupil: number;
}

/** The slope of log(y) against log(x): y grows as x to this power. */
export function fittedExponent(points: readonly { x: number; y: number }[]): number | null {
  if (points.length < 2) return null;
  const xs = points.map((p) => Math.log(p.x));
  const ys = points.map((p) => Math.log(p.y));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    num += (x - mx) * (ys[i]! - my);
    den += (x - mx) ** 2;
  });
  return den === 0 ? null : num / den;
}

const COLOURS: Record<string, string> = { import: '#1d70b8', evaluate: '#d4351c', increment: '#00703c' };

function chart(series: Record<string, Point[]>): string {
  const width = 520;
  const height = 320;
  const pad = { left: 60, right: 130, top: 20, bottom: 45 };
  const all = Object.values(series).flat();
  if (all.length === 0) return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"></svg>\n`;
  const lx = (v: number) => Math.log10(v);
  const [x0, x1] = [Math.floor(lx(Math.min(...all.map((p) => p.pupils)))), Math.ceil(lx(Math.max(...all.map((p) => p.pupils))) + 0.01)];
  const [y0, y1] = [Math.floor(lx(Math.min(...all.map((p) => p.wallSeconds)))), Math.ceil(lx(Math.max(...all.map((p) => p.wallSeconds))) + 0.01)];
  const sx = (v: number) => pad.left + ((lx(v) - x0) / (x1 - x0)) * (width - pad.left - pad.right);
  const sy = (v: number) => height - pad.bottom - ((lx(v) - y0) / (y1 - y0)) * (height - pad.top - pad.bottom);
  const parts: string[] = [];
  for (let e = x0; e <= x1; e++) {
    const x = sx(10 ** e);
    parts.push(`<line x1="${x}" y1="${pad.top}" x2="${x}" y2="${height - pad.bottom}" stroke="#ddd"/><text x="${x}" y="${height - pad.bottom + 16}" text-anchor="middle">${(10 ** e).toLocaleString('en-GB')}</text>`);
  }
  for (let e = y0; e <= y1; e++) {
    const y = sy(10 ** e);
    parts.push(`<line x1="${pad.left}" y1="${y}" x2="${width - pad.right}" y2="${y}" stroke="#ddd"/><text x="${pad.left - 6}" y="${y + 4}" text-anchor="end">${10 ** e} s</text>`);
  }
  parts.push(`<text x="${(pad.left + width - pad.right) / 2}" y="${height - 8}" text-anchor="middle">pupils (log scale)</text>`);
  let legend = pad.top + 10;
  for (const [name, points] of Object.entries(series)) {
    if (points.length === 0) continue;
    const colour = COLOURS[name] ?? '#000';
    const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.pupils).toFixed(1)},${sy(p.wallSeconds).toFixed(1)}`).join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    for (const p of points) parts.push(`<circle cx="${sx(p.pupils).toFixed(1)}" cy="${sy(p.wallSeconds).toFixed(1)}" r="3.5" fill="${colour}"/>`);
    // Linear growth from the smallest size, for comparison.
    const first = points[0]!;
    const last = points.at(-1)!;
    if (points.length > 1)
      parts.push(`<line x1="${sx(first.pupils)}" y1="${sy(first.wallSeconds)}" x2="${sx(last.pupils)}" y2="${sy((first.wallSeconds * last.pupils) / first.pupils)}" stroke="${colour}" stroke-dasharray="4 4" opacity="0.6"/>`);
    const exponent = fittedExponent(points.map((p) => ({ x: p.pupils, y: p.wallSeconds })));
    parts.push(`<rect x="${width - pad.right + 12}" y="${legend - 8}" width="10" height="10" fill="${colour}"/><text x="${width - pad.right + 28}" y="${legend + 1}">${name}${exponent === null ? '' : ` n^${exponent.toFixed(2)}`}</text>`);
    legend += 18;
  }
  parts.push(`<text x="${width - pad.right + 12}" y="${legend + 4}" font-size="10">dashed: linear</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11" role="img" aria-label="Time against pupils, log-log">
<rect width="${width}" height="${height}" fill="#fff"/>
${parts.join('\n')}
</svg>
`;
}

export function curveReport(runs: CurveRun[]) {
  const series: Record<string, Point[]> = {};
  for (const name of CURVE_BENCHMARKS) {
    series[name] = runs.flatMap(({ size, marks, results }) => {
      const result = results.find((r) => r.name === name);
      if (!result) return [];
      return [{
        pupils: size.pupils,
        marks,
        wallSeconds: result.wallSeconds,
        msPerPupil: (1000 * result.wallSeconds) / size.pupils,
        peakRssMb: result.peakRssMb,
        peakRssKbPerPupil: (1024 * result.peakRssMb) / size.pupils,
      }];
    });
  }
  const exponents = Object.fromEntries(
    Object.entries(series).map(([name, points]) => [name, fittedExponent(points.map((p) => ({ x: p.pupils, y: p.wallSeconds })))]),
  );
  const lines = Object.entries(series).flatMap(([name, points]) => [
    ...points.map((p) => `${name} ${p.pupils} pupils: ${p.wallSeconds.toFixed(1)} s, ${p.msPerPupil.toFixed(2)} ms/pupil, peak RSS ${p.peakRssMb} MB (${p.peakRssKbPerPupil.toFixed(1)} KB/pupil)`),
    `${name}: time grows as pupils^${exponents[name]?.toFixed(2) ?? '?'}`,
  ]);
  return {
    json: { sizes: runs.map((r) => r.size), series, exponents, runs: runs.map((r) => ({ pupils: r.size.pupils, at: r.at, loadAverage: r.loadAverage, results: r.results })) },
    svg: chart(series),
    lines,
  };
}
