import { scaleBand, scaleLinear } from 'd3-scale';
import { line } from 'd3-shape';
import { escapeHtml } from '../core/html.ts';

/**
 * Server-rendered SVG charts for the analytics page: no script in the browser, readable by screen
 * readers (role="img" with a title and description, and the same numbers in a table beside each chart).
 * d3-scale picks the axes' round ticks; d3-shape draws the line. Colours come from CSS variables so the
 * charts follow the page's light and dark themes.
 */

export interface Series {
  name: string;
  /** CSS class giving the colour (`s1`, `s2`, …). */
  className: string;
  values: number[];
}

const WIDTH = 640;
const HEIGHT = 220;
const MARGIN = { top: 12, right: 12, bottom: 32, left: 60 };

function svg(id: string, title: string, description: string, body: string, height = HEIGHT): string {
  return `<svg class="chart" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="${id}-t ${id}-d" preserveAspectRatio="xMidYMid meet">
<title id="${id}-t">${escapeHtml(title)}</title><desc id="${id}-d">${escapeHtml(description)}</desc>${body}</svg>`;
}

/** One band per day across the plot area. */
function dayScale(labels: readonly string[]) {
  return scaleBand<string>()
    .domain(labels)
    .range([MARGIN.left, WIDTH - MARGIN.right])
    .padding(0.2);
}

/** Every n-th label, so dates never overlap however many days are shown. */
function labelStep(count: number, room: number): number {
  return Math.max(1, Math.ceil(count / room));
}

function yAxis(y: ReturnType<typeof scaleLinear<number, number>>, format: (v: number) => string): string {
  return y
    .ticks(4)
    .map(
      (t) =>
        `<g class="tick"><line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(t)}" y2="${y(t)}"/><text x="${MARGIN.left - 6}" y="${y(t)}" dy="0.32em" text-anchor="end">${format(t)}</text></g>`,
    )
    .join('');
}

function xLabels(
  labels: readonly string[],
  x: ReturnType<typeof scaleBand<string>>,
  display: (label: string) => string,
): string {
  const step = labelStep(labels.length, 7);
  return labels
    .map((label, i) =>
      i % step === 0
        ? `<text class="xlabel" x="${(x(label) ?? 0) + x.bandwidth() / 2}" y="${HEIGHT - 8}" text-anchor="middle">${escapeHtml(display(label))}</text>`
        : '',
    )
    .join('');
}

/** Stacked bars per label (one stack per day), with a legend naming each series. */
export function stackedBarChart(
  id: string,
  title: string,
  labels: readonly string[],
  series: readonly Series[],
  shortLabel: (label: string) => string = (l) => l,
): string {
  const totals = labels.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const x = dayScale(labels);
  const y = scaleLinear()
    .domain([0, Math.max(1, ...totals)])
    .nice()
    .range([HEIGHT - MARGIN.bottom, MARGIN.top]);
  const bars = labels
    .map((label, i) => {
      let base = 0;
      return series
        .map((s) => {
          const v = s.values[i] ?? 0;
          if (v === 0) return '';
          const top = y(base + v);
          const rect = `<rect class="${s.className}" x="${x(label)}" y="${top}" width="${x.bandwidth()}" height="${y(base) - top}"><title>${escapeHtml(`${label}: ${v} ${s.name}`)}</title></rect>`;
          base += v;
          return rect;
        })
        .join('');
    })
    .join('');
  const described = series.map((s) => `${s.name}: ${s.values.reduce((a, b) => a + b, 0)}`).join('; ');
  return svg(
    id,
    title,
    `${labels.length} days. Totals — ${described}.`,
    `${yAxis(y, (v) => String(v))}${bars}${xLabels(labels, x, shortLabel)}`,
  );
}

/** A line of shares (0–1) per label, drawn as percentages; days without questions leave a gap. */
export function shareLineChart(
  id: string,
  title: string,
  labels: readonly string[],
  shares: ReadonlyArray<number | null>,
  shortLabel: (label: string) => string = (l) => l,
): string {
  const x = dayScale(labels);
  const y = scaleLinear()
    .domain([0, 1])
    .range([HEIGHT - MARGIN.bottom, MARGIN.top]);
  const points = labels.map((label, i) => ({
    x: (x(label) ?? 0) + x.bandwidth() / 2,
    share: shares[i] ?? null,
  }));
  const path = line<{ x: number; share: number | null }>()
    .defined((p) => p.share !== null)
    .x((p) => p.x)
    .y((p) => y(p.share ?? 0))(points);
  const dots = points
    .map((p, i) =>
      p.share === null
        ? ''
        : `<circle class="s2" cx="${p.x}" cy="${y(p.share)}" r="3"><title>${escapeHtml(`${labels[i]}: ${Math.round(p.share * 100)} %`)}</title></circle>`,
    )
    .join('');
  const known = shares.filter((s): s is number => s !== null);
  const mean = known.length ? Math.round((known.reduce((a, b) => a + b, 0) / known.length) * 100) : 0;
  return svg(
    id,
    title,
    `${known.length} days with questions; mean daily share ${mean} %.`,
    `${yAxis(y, (v) => `${Math.round(v * 100)} %`)}<path class="line s2" d="${path ?? ''}"/>${dots}${xLabels(labels, x, shortLabel)}`,
  );
}

/** Horizontal bars with the label above each bar, for ranked lists (documents most cited). */
export function rankedBarChart(
  id: string,
  title: string,
  rows: ReadonlyArray<{ label: string; value: number }>,
): string {
  const rowHeight = 44;
  const height = Math.max(rowHeight, rows.length * rowHeight) + 8;
  const x = scaleLinear()
    .domain([0, Math.max(1, ...rows.map((r) => r.value))])
    .range([0, WIDTH - 60]);
  const bars = rows
    .map(
      (r, i) =>
        `<g transform="translate(0,${i * rowHeight + 4})"><text class="rlabel" x="0" y="15">${escapeHtml(r.label.length > 64 ? `${r.label.slice(0, 63)}…` : r.label)}</text><rect class="s1" x="0" y="21" height="14" width="${Math.max(1, x(r.value))}"/><text class="rvalue" x="${Math.max(1, x(r.value)) + 6}" y="33">${r.value}</text></g>`,
    )
    .join('');
  return svg(id, title, rows.map((r) => `${r.label}: ${r.value}`).join('; ') || 'No data.', bars, height);
}
