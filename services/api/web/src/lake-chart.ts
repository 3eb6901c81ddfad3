/**
 * The SQL console's chart, drawn by hand in SVG (two shapes do not need a charting library): the
 * kind is chosen from the result's column types, as Hive names them (shared/src/schemas/events/catalog.ts).
 *
 * - The measure (y) is the last numeric column.
 * - A date or timestamp column, or else another numeric column (a year, a decade), is an ordered
 *   axis: a **line**, one per value of the first text column when there is one (at most 6).
 * - Otherwise the first text column names **bars**, one per row (at most 30).
 * - A result without a numeric measure, or with nothing to plot it against, has no chart.
 */

export interface ResultColumn {
  name: string;
  type: string;
}

export type ChartChoice =
  | { kind: 'line'; x: number; y: number; series?: number }
  | { kind: 'bar'; x: number; y: number }
  | { kind: 'none'; reason: string };

export const MAX_BARS = 30;
export const MAX_SERIES = 6;

const NUMERIC = /^(tinyint|smallint|int|integer|bigint|float|double|real|decimal\(\d+,\d+\))$/;
const TEMPORAL = /^(date|timestamp)/;
const TEXT = /^(string|varchar|char|boolean)/;

export function chooseChart(columns: readonly ResultColumn[], rows: readonly unknown[][]): ChartChoice {
  const indexes = (pattern: RegExp) =>
    columns.flatMap((column, index) => (pattern.test(column.type) ? [index] : []));
  const numeric = indexes(NUMERIC);
  const text = indexes(TEXT);
  const y = numeric.at(-1);
  if (y === undefined) return { kind: 'none', reason: 'The result has no numeric column to chart.' };
  if (rows.length === 0) return { kind: 'none', reason: 'The result has no rows to chart.' };
  const ordered = indexes(TEMPORAL)[0] ?? numeric.find((index) => index !== y);
  if (ordered !== undefined && new Set(rows.map((row) => String(row[ordered]))).size > 1) {
    const series = text[0];
    return series === undefined ? { kind: 'line', x: ordered, y } : { kind: 'line', x: ordered, y, series };
  }
  const label = text[0] ?? ordered;
  if (label === undefined)
    return { kind: 'none', reason: `Nothing to chart ${columns[y]?.name ?? 'the measure'} against.` };
  return { kind: 'bar', x: label, y };
}

const SVG = 'http://www.w3.org/2000/svg';
// About a phone's width in CSS pixels: the text is drawn at its size there, and grows on wider screens.
const WIDTH = 360;
const number = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number> = {},
  ...children: (SVGElement | string)[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  element.append(...children);
  return element;
}

/** The chart of a result, of the kind chooseChart chose. */
export function drawChart(
  columns: readonly ResultColumn[],
  rows: readonly unknown[][],
  choice: Exclude<ChartChoice, { kind: 'none' }>,
): SVGSVGElement {
  const yName = columns[choice.y]?.name ?? '';
  const xName = columns[choice.x]?.name ?? '';
  const title =
    choice.kind === 'line' ? `Line chart of ${yName} by ${xName}` : `Bar chart of ${yName} by ${xName}`;
  const chart = choice.kind === 'line' ? lineChart(columns, rows, choice) : barChart(rows, choice);
  chart.setAttribute('role', 'img');
  chart.setAttribute('aria-label', title);
  chart.setAttribute('class', `chart chart-${choice.kind}`);
  chart.prepend(svg('title', {}, title));
  return chart;
}

function barChart(rows: readonly unknown[][], choice: { x: number; y: number }): SVGSVGElement {
  const bars = rows
    .slice(0, MAX_BARS)
    .map((row) => ({ label: String(row[choice.x]), value: Number(row[choice.y]) }));
  const rowHeight = 24;
  const labelWidth = 130;
  const valueWidth = 44;
  const height = bars.length * rowHeight + 8;
  const max = Math.max(0, ...bars.map((bar) => bar.value));
  const min = Math.min(0, ...bars.map((bar) => bar.value));
  const span = max - min || 1;
  const plotWidth = WIDTH - labelWidth - valueWidth;
  const zeroAt = labelWidth + ((0 - min) / span) * plotWidth;
  const chart = svg('svg', { viewBox: `0 0 ${WIDTH} ${height}`, preserveAspectRatio: 'xMinYMin meet' });
  bars.forEach((bar, index) => {
    const top = 4 + index * rowHeight;
    const end = labelWidth + ((bar.value - min) / span) * plotWidth;
    chart.append(
      svg(
        'text',
        { x: labelWidth - 8, y: top + rowHeight / 2, 'text-anchor': 'end', 'dominant-baseline': 'middle' },
        bar.label.length > 20 ? `${bar.label.slice(0, 19)}…` : bar.label,
      ),
      svg('rect', {
        class: 'bar',
        x: Math.min(zeroAt, end),
        y: top + 3,
        width: Math.max(1, Math.abs(end - zeroAt)),
        height: rowHeight - 6,
        rx: 3,
      }),
      svg(
        'text',
        {
          x: Math.max(zeroAt, end) + 6,
          y: top + rowHeight / 2,
          'dominant-baseline': 'middle',
          class: 'value',
        },
        Number.isFinite(bar.value) ? number.format(bar.value) : '',
      ),
    );
  });
  return chart;
}

function lineChart(
  columns: readonly ResultColumn[],
  rows: readonly unknown[][],
  choice: { x: number; y: number; series?: number },
): SVGSVGElement {
  const temporal = TEMPORAL.test(columns[choice.x]?.type ?? '');
  const xOf = (row: unknown[]) => (temporal ? Date.parse(String(row[choice.x])) : Number(row[choice.x]));
  const points = rows
    .map((row) => ({
      x: xOf(row),
      y: Number(row[choice.y]),
      series: choice.series === undefined ? '' : String(row[choice.series]),
    }))
    .filter((point) => Number.isFinite(point.x) && Number.isFinite(point.y));
  const names = [...new Set(points.map((point) => point.series))].slice(0, MAX_SERIES);
  const height = 220;
  const margin = { top: 12, right: 8, bottom: 28, left: 40 };
  const xs = points.map((point) => point.x);
  const ys = points.map((point) => point.y);
  const [xMin, xMax] = [Math.min(...xs), Math.max(...xs)];
  const [yMin, yMax] = [Math.min(0, ...ys), Math.max(...ys)];
  const sx = (x: number) =>
    margin.left + ((x - xMin) / (xMax - xMin || 1)) * (WIDTH - margin.left - margin.right);
  const sy = (y: number) =>
    height - margin.bottom - ((y - yMin) / (yMax - yMin || 1)) * (height - margin.top - margin.bottom);
  const xLabel = (x: number) =>
    temporal ? new Date(x).toISOString().slice(0, 10) : Number.isInteger(x) ? String(x) : number.format(x);
  const chart = svg('svg', { viewBox: `0 0 ${WIDTH} ${height}`, preserveAspectRatio: 'xMinYMin meet' });
  chart.append(
    svg('line', { class: 'axis', x1: margin.left, x2: WIDTH - margin.right, y1: sy(yMin), y2: sy(yMin) }),
    svg('line', {
      class: 'axis',
      x1: margin.left,
      x2: margin.left,
      y1: margin.top,
      y2: height - margin.bottom,
    }),
  );
  for (const y of [yMin, (yMin + yMax) / 2, yMax])
    chart.append(
      svg(
        'text',
        { x: margin.left - 6, y: sy(y), 'text-anchor': 'end', 'dominant-baseline': 'middle' },
        number.format(y),
      ),
    );
  for (const x of [xMin, (xMin + xMax) / 2, xMax])
    chart.append(
      svg(
        'text',
        {
          x: sx(x),
          y: height - margin.bottom + 16,
          'text-anchor': x === xMin ? 'start' : x === xMax ? 'end' : 'middle',
        },
        xLabel(temporal || x !== (xMin + xMax) / 2 ? x : Math.round(x)),
      ),
    );
  names.forEach((name, index) => {
    const line = points.filter((point) => point.series === name).sort((a, b) => a.x - b.x);
    const path = line.map(
      (point, at) => `${at === 0 ? 'M' : 'L'}${sx(point.x).toFixed(1)},${sy(point.y).toFixed(1)}`,
    );
    chart.append(svg('path', { class: `series series-${index}`, d: path.join(' '), fill: 'none' }));
    if (name !== '')
      chart.append(
        svg(
          'text',
          {
            x: WIDTH - margin.right,
            y: margin.top + 14 * index,
            'text-anchor': 'end',
            class: `legend series-${index}`,
          },
          name,
        ),
      );
  });
  return chart;
}
