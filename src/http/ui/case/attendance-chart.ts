import type { Band } from '../../../domain/types.ts';
import { escapeXml } from '../views.ts';
import { bandFrom, shortDate, words } from '../../../domain/words.ts';
import type { WeekOfAttendance } from './attendance-weeks.ts';

const WIDTH = 720;
const HEIGHT = 280;
// The right margin holds the longest band label ("persistent absence above 50%") whole.
const PAD = { left: 44, right: 200, top: 14, bottom: 40 };

/**
 * The weekly attendance as an SVG bar chart, with the year-to-date line and the school's bands
 * drawn as labelled lines. Server-side so it needs no script; the same numbers are in a table
 * beside it for screen readers.
 */
export function attendanceChartSvg(weeks: readonly WeekOfAttendance[], bands: readonly Band[], target: number): string {
  const lowest = Math.min(60, ...weeks.flatMap((week) => [week.weekPct ?? 100, week.yearPct ?? 100]), ...bands.map((band) => band.minPct).filter((pct) => pct > 0));
  const floor = Math.max(0, Math.floor((lowest - 5) / 10) * 10);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const y = (pct: number) => PAD.top + ((100 - pct) / (100 - floor)) * plotH;
  const slot = plotW / Math.max(1, weeks.length);
  const x = (index: number) => PAD.left + index * slot + slot / 2;
  const parts: string[] = [];
  for (let pct = floor; pct <= 100; pct += 10) {
    parts.push(`<line x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${y(pct)}" y2="${y(pct)}" class="grid"/><text x="${PAD.left - 6}" y="${y(pct) + 4}" class="axis" text-anchor="end">${pct}%</text>`);
  }
  weeks.forEach((week, index) => {
    if (week.weekPct !== null) {
      const top = y(Math.max(floor, week.weekPct));
      parts.push(`<rect x="${x(index) - slot * 0.35}" y="${top}" width="${slot * 0.7}" height="${PAD.top + plotH - top}" class="bar"><title>Week of ${escapeXml(shortDate(week.monday))}: ${week.weekPct.toFixed(1)}%</title></rect>`);
    }
    if (index % Math.ceil(weeks.length / 8) === 0) {
      parts.push(`<text x="${x(index)}" y="${HEIGHT - PAD.bottom + 16}" class="axis" text-anchor="middle">${escapeXml(shortDate(week.monday).replace(/ \d{4}$/, ''))}</text>`);
    }
  });
  const line = weeks.flatMap((week, index) => (week.yearPct === null ? [] : [`${x(index)},${y(Math.max(floor, week.yearPct))}`])).join(' ');
  if (line) parts.push(`<polyline points="${line}" class="ytd"/>`);
  const shown = bands.filter((band) => band.minPct > floor && band.minPct < 100);
  // A band that starts at the target shares its line and its label: two labels on one line overprint.
  const atTarget = shown.find((band) => band.minPct === target);
  const lines = [
    { pct: target, label: atTarget ? `target ${target}% (${words(atTarget.name).toLowerCase()})` : `target ${target}%`, css: 'target' },
    ...shown.filter((band) => band !== atTarget).map((band) => ({ pct: band.minPct, label: `${words(band.name).toLowerCase()} ${bandFrom(band.minPct)}`, css: 'band' })),
  ];
  // Labels of lines close together are stacked so they never overprint (12px text draws a box about 15px tall).
  let lastLabelY = -Infinity;
  for (const { pct, label, css } of lines.sort((a, b) => b.pct - a.pct)) {
    const labelY = Math.max(y(pct) + 4, lastLabelY + 16);
    lastLabelY = labelY;
    parts.push(`<line x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${y(pct)}" y2="${y(pct)}" class="${css}"/><text x="${PAD.left + plotW + 6}" y="${labelY}" class="band-label">${escapeXml(label)}</text>`);
  }
  parts.push(`<text x="${PAD.left}" y="${HEIGHT - 6}" class="legend">Bars: attendance each week. Line: year to date. Dashed lines: the school’s bands.</text>`);
  return `<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" class="chart" role="img" aria-labelledby="chart-title"><title id="chart-title">Weekly attendance with the year-to-date line and the school’s bands</title>${parts.join('')}</svg>`;
}
