import type { LatencySeries, ThroughputCurve } from './report.js';

/** Charts as plain SVG text, drawn without a browser, for bench/results/latest.md. */

const FONT = 'font-family="system-ui, sans-serif" font-size="12"';
const COLORS = { p50: '#4c78a8', p90: '#f58518', p99: '#e45756' } as const;

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(value: number): string {
  if (Number.isInteger(value)) return value >= 10_000 && value % 1000 === 0 ? `${value / 1000}k` : String(value);
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/** Powers of ten that span [min, max], with their 2× and 5× when there is room for them. */
function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  const multiples = Math.log10(max / min) > 3 ? [1] : [1, 2, 5];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of multiples) {
      const v = m * 10 ** e;
      if (v >= min && v <= max) ticks.push(v);
    }
  }
  return ticks;
}

/** Horizontal bars of p50, p90 and p99 per series, on a log scale of milliseconds. */
export function latencyChart(title: string, series: readonly LatencySeries[]): string {
  const values = series.flatMap((s) => [s.p50, s.p90, s.p99]).filter((v) => Number.isFinite(v) && v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values, 1)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values, 10)));
  const labelWidth = 290;
  const plotWidth = 420;
  const rowHeight = 42;
  const top = 40;
  const height = top + series.length * rowHeight + 40;
  const x = (v: number) => labelWidth + (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) * plotWidth;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + plotWidth + 70}" height="${height}" ${FONT}>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  for (const t of logTicks(lo, hi)) {
    parts.push(`<line x1="${x(t)}" y1="${top - 6}" x2="${x(t)}" y2="${height - 34}" stroke="#ddd"/>`);
    parts.push(`<text x="${x(t)}" y="${height - 20}" text-anchor="middle" fill="#555">${fmt(t)}</text>`);
  }
  parts.push(`<text x="${labelWidth + plotWidth / 2}" y="${height - 4}" text-anchor="middle" fill="#555">milliseconds (log scale)</text>`);
  series.forEach((s, i) => {
    const y = top + i * rowHeight;
    parts.push(`<text x="${labelWidth - 8}" y="${y + 18}" text-anchor="end">${esc(s.name)}</text>`);
    (['p50', 'p90', 'p99'] as const).forEach((key, k) => {
      const v = s[key];
      if (!Number.isFinite(v)) return;
      const barY = y + k * 11;
      parts.push(`<rect x="${labelWidth}" y="${barY}" width="${Math.max(1, x(v) - labelWidth)}" height="9" fill="${COLORS[key]}"/>`);
      parts.push(`<text x="${x(v) + 4}" y="${barY + 8}" font-size="10" fill="#333">${key} ${fmt(v)}</text>`);
    });
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** Achieved against offered rate, with the line where they are equal; a red point is one where the backlog grew. */
export function throughputChart(title: string, curves: readonly ThroughputCurve[]): string {
  const points = curves.flatMap((c) => c.points);
  const max = Math.max(10, ...points.flatMap((p) => [p.offered, p.achieved])) * 1.1;
  const left = 70;
  const top = 40;
  const size = 360;
  const width = left + size + 200;
  const height = top + size + 50;
  const x = (v: number) => left + (v / max) * size;
  const y = (v: number) => top + size - (v / max) * size;
  const unit = curves[0]?.unit ?? '';
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ${FONT}>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
    `<line x1="${x(0)}" y1="${y(0)}" x2="${x(max)}" y2="${y(max)}" stroke="#bbb" stroke-dasharray="4 4"/>`,
    `<line x1="${x(0)}" y1="${y(0)}" x2="${x(max)}" y2="${y(0)}" stroke="#333"/>`,
    `<line x1="${x(0)}" y1="${y(0)}" x2="${x(0)}" y2="${y(max)}" stroke="#333"/>`,
  ];
  const step = 10 ** Math.floor(Math.log10(max / 2));
  const tick = max / step > 10 ? step * 2 : step;
  for (let v = 0; v <= max; v += tick) {
    parts.push(`<text x="${x(v)}" y="${y(0) + 16}" text-anchor="middle" fill="#555">${fmt(v)}</text>`);
    parts.push(`<text x="${x(0) - 6}" y="${y(v) + 4}" text-anchor="end" fill="#555">${fmt(v)}</text>`);
  }
  parts.push(`<text x="${x(max / 2)}" y="${height - 8}" text-anchor="middle" fill="#555">offered (${esc(unit)})</text>`);
  parts.push(`<text x="16" y="${y(max / 2)}" text-anchor="middle" fill="#555" transform="rotate(-90 16 ${y(max / 2)})">achieved (${esc(unit)})</text>`);
  const palette = ['#4c78a8', '#54a24b', '#b279a2', '#9d755d'];
  curves.forEach((c, i) => {
    const color = palette[i % palette.length]!;
    const sorted = [...c.points].sort((a, b) => a.offered - b.offered);
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${sorted.map((p) => `${x(p.offered)},${y(p.achieved)}`).join(' ')}"/>`);
    for (const p of sorted) parts.push(`<circle cx="${x(p.offered)}" cy="${y(p.achieved)}" r="4" fill="${p.backlogGrew ? '#e45756' : color}"/>`);
    parts.push(`<rect x="${left + size + 20}" y="${top + i * 20}" width="12" height="12" fill="${color}"/>`);
    parts.push(`<text x="${left + size + 38}" y="${top + i * 20 + 10}">${esc(c.name)}</text>`);
  });
  const legendY = top + curves.length * 20 + 10;
  parts.push(`<circle cx="${left + size + 26}" cy="${legendY + 6}" r="4" fill="#e45756"/>`);
  parts.push(`<text x="${left + size + 38}" y="${legendY + 10}">backlog grew</text>`);
  parts.push(`<text x="${left + size + 20}" y="${legendY + 30}" fill="#777">dashed: achieved = offered</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
