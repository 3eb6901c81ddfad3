import type { CatalogMatch, QueryView } from '../api';
import { h } from '../dom';
import {
  consoleHref,
  FORMAT_LABELS,
  formatBytes,
  queryStatistics,
  resultTable,
  runQuery,
  SENSITIVE_LABELS,
  tableIdentifier,
  ZONE_LABELS,
} from '../lake';
import type { Page } from '../page';
import { alertBox, describeError, loading, pageLayout } from '../ui';

/**
 * One dataset of the lake (#/lake/dataset?zone=curated&dataset=ngram): its objects as the catalog
 * knows them (search filtered on the dataset: partitions, formats, personal data), and its table's
 * schema and first rows as DuckDB reads them (a query through the SQL API, on the newest object's
 * partition only, so that a large dataset is not scanned whole for ten rows).
 */

const SEARCH_LIMIT = 100;
const SAMPLE_ROWS = 10;

interface PartitionSummary {
  values: Record<string, string>;
  objects: number;
  bytes: number;
}

/** 'decade=1990/' as Hive writes it. */
const partitionPath = (values: Record<string, string>) =>
  Object.entries(values)
    .map(([key, value]) => `${key}=${value}`)
    .join('/');

function partitionsOf(matches: readonly CatalogMatch[]): PartitionSummary[] {
  const byPath = new Map<string, PartitionSummary>();
  for (const match of matches) {
    const path = partitionPath(match.partitions);
    const summary = byPath.get(path) ?? { values: match.partitions, objects: 0, bytes: 0 };
    summary.objects += 1;
    summary.bytes += match.sizeBytes;
    byPath.set(path, summary);
  }
  return [...byPath.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, summary]) => summary);
}

/**
 * `SELECT * FROM "ngram" WHERE "decade" = 1990 LIMIT 10`: whole numbers compare as numbers (a
 * partition key whose values are whole numbers is a bigint in Glue), anything else as text.
 */
export function sampleQuery(table: string, partition: Record<string, string>): string {
  const conditions = Object.entries(partition).map(
    ([key, value]) =>
      `${tableIdentifier(key)} = ${/^-?\d{1,18}$/.test(value) ? value : `'${value.replaceAll("'", "''")}'`}`,
  );
  const where = conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
  return `SELECT * FROM ${tableIdentifier(table)}${where} LIMIT ${SAMPLE_ROWS}`;
}

export const lakeDatasetPage: Page = (context) => {
  const zone = context.params.get('zone') ?? '';
  const dataset = context.params.get('dataset') ?? '';
  const content = h('div', { class: 'lake-dataset-page', 'aria-live': 'polite', 'aria-busy': 'true' });
  const sample = h('section', { class: 'card', 'aria-labelledby': 'sample-title' });

  const section = (id: string, title: string, ...children: (Node | false | undefined)[]) =>
    h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), children);

  const showSample = (table: string, matches: readonly CatalogMatch[]) => {
    const newest = matches[0];
    const sql = sampleQuery(table, newest?.partitions ?? {});
    sample.replaceChildren(
      h('h2', { id: 'sample-title' }, 'Schema and sample rows'),
      loading('Reading the first rows…'),
    );
    const done = (query: QueryView) => {
      if (query.status === 'SUCCEEDED' && query.columns !== undefined) {
        sample.replaceChildren(
          h('h2', { id: 'sample-title' }, 'Schema and sample rows'),
          h(
            'p',
            { class: 'hint' },
            `The table's columns as the lake's SQL reads them, and the first rows of ${
              Object.keys(newest?.partitions ?? {}).length === 0
                ? 'the dataset'
                : `partition ${partitionPath(newest?.partitions ?? {})}`
            }. `,
            h('a', { href: consoleHref(sql) }, 'Open in the SQL console'),
          ),
          h(
            'table',
            { class: 'schema-table', 'aria-label': 'Schema' },
            h(
              'thead',
              {},
              h('tr', {}, h('th', { scope: 'col' }, 'Column'), h('th', { scope: 'col' }, 'Type')),
            ),
            h(
              'tbody',
              {},
              query.columns.map((column) =>
                h('tr', {}, h('td', { class: 'mono' }, column.name), h('td', { class: 'mono' }, column.type)),
              ),
            ),
          ),
          resultTable('Sample rows', query.columns, query.rows ?? []),
          queryStatistics(query),
        );
        return;
      }
      sample.replaceChildren(
        h('h2', { id: 'sample-title' }, 'Schema and sample rows'),
        alertBox('error', `The sample could not be read. ${query.error?.message ?? ''}`.trim()),
      );
    };
    runQuery(context.api, sql, context.signal).then(done, (error: unknown) => {
      if (context.signal.aborted) return;
      sample.replaceChildren(
        h('h2', { id: 'sample-title' }, 'Schema and sample rows'),
        alertBox('error', `The sample could not be read. ${describeError(error).message}`),
      );
    });
  };

  const render = (matches: CatalogMatch[], total: number) => {
    content.setAttribute('aria-busy', 'false');
    if (total === 0) {
      content.replaceChildren(
        h(
          'div',
          { class: 'empty' },
          h('h2', {}, 'No such dataset'),
          h('p', {}, 'The catalog has no object in this dataset. '),
          h('a', { href: '#/lake' }, 'Search the lake'),
        ),
      );
      return;
    }
    const table = matches.find((match) => match.table !== undefined)?.table;
    const sensitive = [...new Set(matches.flatMap((match) => match.sensitive))].sort();
    const formats = [...new Set(matches.map((match) => match.format))].sort();
    const bytes = matches.reduce((sum, match) => sum + match.sizeBytes, 0);
    const columns = [...new Set(matches.flatMap((match) => match.columns))];
    const partitions = partitionsOf(matches);
    const partial = matches.length < total;
    content.replaceChildren(
      section(
        'dataset-summary',
        'Summary',
        h(
          'dl',
          { class: 'details' },
          h('dt', {}, 'Zone'),
          h('dd', {}, ZONE_LABELS[zone] ?? zone),
          h('dt', {}, 'Table'),
          h(
            'dd',
            { class: 'mono' },
            table ?? 'None: its format is not one the lake reads (JSON lines, CSV, Parquet)',
          ),
          h('dt', {}, 'Format'),
          h('dd', {}, formats.map((format) => FORMAT_LABELS[format] ?? format).join(', ')),
          h('dt', {}, 'Objects'),
          h('dd', {}, partial ? `${total} (the first ${matches.length} below)` : String(total)),
          h('dt', {}, 'Size'),
          h('dd', {}, partial ? `${formatBytes(bytes)} in the first ${matches.length}` : formatBytes(bytes)),
        ),
      ),
      section(
        'dataset-sensitive',
        'Personal data',
        sensitive.length === 0
          ? h('p', { class: 'sensitive-none' }, 'None found.')
          : h(
              'ul',
              { class: 'chips', 'aria-label': 'Personal data found' },
              sensitive.map((kind) => h('li', { class: 'chip sensitive' }, SENSITIVE_LABELS[kind] ?? kind)),
            ),
        h(
          'p',
          { class: 'hint' },
          'Looked for in the first MiB of each object (Parquet files over 1 MiB: not at all). Names, addresses and anything encoded are not recognised.',
        ),
      ),
      section(
        'dataset-partitions',
        'Partitions',
        partitions.length === 1 && Object.keys(partitions[0]?.values ?? {}).length === 0
          ? h('p', {}, 'Not partitioned.')
          : h(
              'div',
              { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': 'Partitions, by folder' },
              h(
                'table',
                { class: 'result-table' },
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    h('th', { scope: 'col' }, 'Partition'),
                    h('th', { scope: 'col' }, 'Objects'),
                    h('th', { scope: 'col' }, 'Size'),
                  ),
                ),
                h(
                  'tbody',
                  {},
                  partitions.map((partition) =>
                    h(
                      'tr',
                      {},
                      h('td', { class: 'mono' }, partitionPath(partition.values)),
                      h('td', {}, String(partition.objects)),
                      h('td', {}, formatBytes(partition.bytes)),
                    ),
                  ),
                ),
              ),
            ),
      ),
      table === undefined
        ? section(
            'sample-title',
            'Columns',
            columns.length === 0
              ? h('p', {}, 'No columns were read from its objects.')
              : h(
                  'ul',
                  { class: 'chips' },
                  columns.map((column) => h('li', { class: 'chip mono' }, column)),
                ),
          )
        : sample,
    );
    if (table !== undefined) showSample(table, matches);
  };

  const load = () => {
    content.setAttribute('aria-busy', 'true');
    content.replaceChildren(loading('Loading the dataset…'));
    context.api
      .searchCatalog({ dataset, zone, limit: SEARCH_LIMIT }, context.signal)
      .then(({ matches, total }) => render(matches, total))
      .catch((error: unknown) => {
        if (context.signal.aborted) return;
        content.setAttribute('aria-busy', 'false');
        content.replaceChildren(
          alertBox(
            'error',
            `The dataset could not be loaded. ${describeError(error).message}`,
            h('button', { type: 'button', class: 'button', onclick: load }, 'Try again'),
          ),
        );
      });
  };
  load();

  return pageLayout(
    context.flash,
    dataset === '' ? 'Dataset' : dataset,
    h('a', { class: 'button', href: '#/lake' }, 'Back to search'),
    content,
  );
};
