import { NODE_RUNTIME_BASE_MB } from '../cloud/offline-fixes/invocation-report';
import type { LambdaPrices } from './lambda-prices';
import { RECOMMENDATION, type RecommendationRule, type Rightsizing } from './rightsize';

const COLUMNS: readonly { title: string; value: (row: Rightsizing) => string; alignLeft?: boolean }[] = [
  { title: 'service', value: (row) => row.fn.service, alignLeft: true },
  { title: 'function', value: (row) => row.fn.key, alignLeft: true },
  { title: 'arch', value: (row) => row.fn.architecture, alignLeft: true },
  { title: 'invocations', value: (row) => invocations(row) },
  { title: 'p50 ms', value: (row) => milliseconds(row.p50DurationMs) },
  { title: 'p99 ms', value: (row) => milliseconds(row.p99DurationMs) },
  { title: 'peak MB', value: (row) => String(row.peakMemoryMb) },
  { title: 'memory MB', value: (row) => String(row.fn.memorySizeMb) },
  { title: 'recommended MB', value: (row) => recommended(row) },
  { title: '$/1M now', value: (row) => dollars(row.costPerMillion.current) },
  { title: '$/1M recommended', value: (row) => dollars(row.costPerMillion.recommended) },
];

/** The rows as a plain-text table, one line per function, numbers aligned right. */
export function renderTable(rows: readonly Rightsizing[]): string {
  const cells = [
    COLUMNS.map((column) => column.title),
    ...rows.map((row) => COLUMNS.map((c) => c.value(row))),
  ];
  const widths = COLUMNS.map((_, index) => Math.max(...cells.map((line) => (line[index] ?? '').length)));
  return cells
    .map((line) =>
      line
        .map((cell, index) =>
          COLUMNS[index]?.alignLeft ? cell.padEnd(widths[index] ?? 0) : cell.padStart(widths[index] ?? 0),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** What the figures mean and what they cannot say: printed under the table. */
export function methodNotes(
  prices: LambdaPrices,
  source: 'local' | 'aws',
  rule: RecommendationRule = RECOMMENDATION,
): string[] {
  return [
    `recommended: peak memory × ${rule.headroom}, rounded up to ${rule.stepMb} MB, within ${rule.minMb}-${rule.maxMb.toLocaleString('en-US')} MB.`,
    `$/1M: $${prices.perMillionRequests.toFixed(2)} per million requests + mean billed duration × memory × the GB-second price (${prices.region}, by architecture; ${prices.source}, read ${prices.readOn}).`,
    'The duration at the recommended size is assumed equal to the one measured. In Lambda, CPU scales with',
    'memory: a function that computes may run slower, and cost more, with less. Before changing a memorySize,',
    'measure in AWS with AWS Lambda Power Tuning (https://github.com/alexcasalboni/aws-lambda-power-tuning).',
    ...(source === 'local'
      ? [
          `Local peak memory: the function's V8 isolate (heap, external, V8's own) + ${NODE_RUNTIME_BASE_MB} MB for the Node runtime, as`,
          "comparable with Lambda's Max Memory Used as one process of workers allows; memory native code takes",
          'outside V8 (sharp, DuckDB) is not counted, and local durations are not Lambda durations.',
        ]
      : [
          "From the functions' REPORT lines (CloudWatch Logs Insights): percentiles, peak and cost of the latest",
          "10,000 invocations of a function that had more (marked ≈ in 'invocations').",
        ]),
  ];
}

function invocations(row: Rightsizing): string {
  return row.measured < row.invocations ? `${row.invocations} ≈` : String(row.invocations);
}

function recommended(row: Rightsizing): string {
  if (row.recommendedMemoryMb === row.fn.memorySizeMb) return `${row.recommendedMemoryMb} =`;
  return `${row.recommendedMemoryMb} ${row.recommendedMemoryMb < row.fn.memorySizeMb ? '↓' : '↑'}`;
}

function milliseconds(value: number): string {
  return value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0);
}

function dollars(value: number): string {
  return `$${value < 100 ? value.toFixed(4) : value.toFixed(2)}`;
}
