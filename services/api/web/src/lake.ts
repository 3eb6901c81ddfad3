import type { Api, QueryView } from './api';
import { h } from './dom';

/** What the lake's pages share: sizes and times as people read them, a result as a table, a query followed to its end. */

const bytesFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 1536 -> '1.5 KB' (powers of 1024, as S3's console shows sizes). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${bytesFormat.format(value)} ${UNITS[unit]}`;
}

const secondsFormat = new Intl.NumberFormat(undefined, {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});

export function formatSeconds(milliseconds: number): string {
  return `${secondsFormat.format(Math.max(0, milliseconds) / 1000)} s`;
}

export const SENSITIVE_LABELS: Readonly<Record<string, string>> = {
  email: 'E-mail addresses',
  phone: 'Phone numbers',
  'payment-card': 'Payment card numbers',
  'ip-address': 'IP addresses',
  none: 'None found',
};

export const FORMAT_LABELS: Readonly<Record<string, string>> = {
  parquet: 'Parquet',
  jsonl: 'JSON lines',
  csv: 'CSV',
  unknown: 'Unknown',
};

export const ZONE_LABELS: Readonly<Record<string, string>> = {
  raw: 'Raw',
  curated: 'Curated',
  backup: 'Backup',
  errors: 'Errors',
  results: 'Results',
};

/** The dataset page of a zone's dataset. */
export function datasetHref(zone: string, dataset: string): string {
  return `#/lake/dataset?${new URLSearchParams({ zone, dataset })}`;
}

/** The SQL console, opened on a query. */
export function consoleHref(sql: string): string {
  return `#/lake/sql?${new URLSearchParams({ sql })}`;
}

/** A lake table's name in SQL: quoted, since a dataset's table may start with a digit. */
export function tableIdentifier(table: string): string {
  return `"${table.replaceAll('"', '""')}"`;
}

const POLL_MS = [300, 500, 1000];

/**
 * Starts a query and follows it (GET every second at most) until it succeeded or failed; `onChange`
 * sees every state. The API is asynchronous, like Athena's: a long query outlives an API call.
 */
export async function runQuery(
  api: Api,
  sql: string,
  signal: AbortSignal,
  onChange: (query: QueryView) => void = () => undefined,
): Promise<QueryView> {
  let query = await api.startQuery(sql, signal);
  onChange(query);
  for (let attempt = 0; query.status === 'QUEUED' || query.status === 'RUNNING'; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS[Math.min(attempt, POLL_MS.length - 1)]));
    signal.throwIfAborted();
    query = await api.getQuery(query.queryId, signal);
    onChange(query);
  }
  return query;
}

/** Engine time (started to finished), and the whole wait (submitted to finished). */
export function queryTimes(query: QueryView): { running?: number; total?: number } {
  const at = (value: string | undefined) => (value === undefined ? undefined : Date.parse(value));
  const [submitted, started, finished] = [at(query.submittedAt), at(query.startedAt), at(query.finishedAt)];
  return {
    ...(started !== undefined && finished !== undefined ? { running: finished - started } : {}),
    ...(submitted !== undefined && finished !== undefined ? { total: finished - submitted } : {}),
  };
}

/** What the query cost: bytes scanned, partitions read, its run time and the whole wait, its rows. */
export function queryStatistics(query: QueryView): HTMLElement {
  const { running, total } = queryTimes(query);
  const partitions =
    query.partitionsRead === undefined
      ? undefined
      : `${query.partitionsRead} ${query.partitionsRead === 1 ? 'partition' : 'partitions'}`;
  const entry = (label: string, value: string | undefined, name: string) =>
    value !== undefined &&
    h(
      'div',
      { class: 'stat' },
      h('dt', { class: 'stat-label' }, label),
      h('dd', { class: 'stat-value', 'data-stat': name }, value),
    );
  return h(
    'dl',
    { class: 'query-stats', 'aria-label': 'Query statistics' },
    entry(
      'Bytes scanned',
      query.bytesScanned === undefined ? undefined : formatBytes(query.bytesScanned),
      'bytes',
    ),
    entry('Partitions read', partitions, 'partitions'),
    entry('Run time', running === undefined ? undefined : formatSeconds(running), 'run-time'),
    entry('Total time', total === undefined ? undefined : formatSeconds(total), 'total-time'),
    entry('Rows', query.rowCount === undefined ? undefined : String(query.rowCount), 'rows'),
  );
}

/** A result as a table: a header per column (with its type), a row per row; nulls say so. */
export function resultTable(
  label: string,
  columns: readonly { name: string; type: string }[],
  rows: readonly unknown[][],
): HTMLElement {
  const cell = (value: unknown) =>
    value === null || value === undefined
      ? h('td', { class: 'null' }, 'null')
      : h('td', {}, typeof value === 'object' ? JSON.stringify(value) : String(value));
  return h(
    'div',
    { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': label },
    h(
      'table',
      { class: 'result-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          columns.map((column) =>
            h('th', { scope: 'col' }, column.name, h('span', { class: 'column-type' }, column.type)),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((row) =>
          h(
            'tr',
            {},
            columns.map((_column, index) => cell(row[index])),
          ),
        ),
      ),
    ),
  );
}
