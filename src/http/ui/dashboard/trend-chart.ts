import { escapeXml } from '../views.ts';
import { shortDate } from '../../../domain/words.ts';

const WIDTH = 560;
const HEIGHT = 220;
const PAD = { left: 44, right: 28, top: 12, bottom: 44 };

export interface Series {
  name: string;
  css: string;
  values: (number | null)[];
}

/** Lines over the school weeks, with a legend in words and dash patterns so colour is not the only cue. */
export function trendChartSvg(title: string, labels: readonly string[], series: readonly Series[], range: { min: number; max: number }): string {
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (index: number) => PAD.left + (labels.length <= 1 ? plotW / 2 : (index / (labels.length - 1)) * plotW);
  const y = (value: number) => PAD.top + ((range.max - Math.min(range.max, Math.max(range.min, value))) / (range.max - range.min)) * plotH;
  const parts: string[] = [];
  const step = (range.max - range.min) / 4;
  for (let value = range.min; value <= range.max + 0.001; value += step) {
    parts.push(`<line x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${y(value)}" y2="${y(value)}" class="grid"/><text x="${PAD.left - 6}" y="${y(value) + 4}" class="axis" text-anchor="end">${Math.round(value)}%</text>`);
  }
  labels.forEach((label, index) => {
    if (index % Math.ceil(labels.length / 6) === 0) parts.push(`<text x="${x(index)}" y="${HEIGHT - PAD.bottom + 16}" class="axis" text-anchor="middle">${shortDate(label).replace(/ \d{4}$/, '')}</text>`);
  });
  series.forEach((line, index) => {
    const points = line.values.flatMap((value, i) => (value === null ? [] : [`${x(i)},${y(value)}`])).join(' ');
    parts.push(`<polyline points="${points}" class="series ${line.css}"/>`);
    parts.push(`<line x1="${PAD.left + index * 170}" x2="${PAD.left + index * 170 + 24}" y1="${HEIGHT - 10}" y2="${HEIGHT - 10}" class="series ${line.css}"/><text x="${PAD.left + index * 170 + 30}" y="${HEIGHT - 6}" class="legend">${escapeXml(line.name)}</text>`);
  });
  return `<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" class="chart" role="img" aria-label="${escapeXml(title)}">${parts.join('')}</svg>`;
}
