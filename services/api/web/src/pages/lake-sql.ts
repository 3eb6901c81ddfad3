import { ApiError, type QueryView } from '../api';
import { h, setChildren, uniqueId } from '../dom';
import { queryStatistics, resultTable, runQuery } from '../lake';
import { chooseChart, drawChart, MAX_BARS } from '../lake-chart';
import type { Page } from '../page';
import { alertBox, busy, describeError, pageLayout, spinner } from '../ui';

/**
 * The SQL console (#/lake/sql?sql=...): one SELECT over the lake's tables through the SQL API
 * (POST /catalog/queries, then GET until it is done), its cost (bytes scanned, partitions, time),
 * the first rows as a table and as a chart whose kind the column types choose (lake-chart.ts).
 */

/** The talk's query, over the n-gram dataset `npm run lake:seed` writes. */
const EXAMPLE =
  "SELECT gram, year, sum(match_count) FROM ngram WHERE gram = 'just say no' GROUP BY gram, year ORDER BY year";

const STATUS_LABELS: Record<QueryView['status'], string> = {
  QUEUED: 'Queued',
  RUNNING: 'Running',
  SUCCEEDED: 'Succeeded',
  FAILED: 'Failed',
};

export const lakeSqlPage: Page = (context) => {
  const editorId = uniqueId('sql');
  const hintId = `${editorId}-hint`;
  const editor = h('textarea', {
    id: editorId,
    name: 'sql',
    class: 'sql-editor mono',
    rows: 5,
    spellcheck: false,
    autocapitalize: 'off',
    autocomplete: 'off',
    'aria-describedby': hintId,
  });
  editor.value = context.params.get('sql') ?? EXAMPLE;
  const run = h('button', { type: 'submit', class: 'button primary' }, 'Run query');
  const form = h(
    'form',
    { class: 'form sql-form', 'aria-label': 'SQL query' },
    h(
      'div',
      { class: 'field' },
      h('label', { for: editorId }, 'SQL'),
      editor,
      h(
        'p',
        { id: hintId, class: 'hint' },
        'One SELECT over the lake’s tables (a curated dataset by its name, others as zone_dataset). A filter on a partition key reads only its partitions. Ctrl+Enter runs it.',
      ),
    ),
    h('div', { class: 'form-actions' }, run),
  );
  const outcome = h('div', { class: 'sql-outcome', 'aria-live': 'polite' });

  const status = (query: QueryView) =>
    h(
      'p',
      { class: `query-status query-${query.status.toLowerCase()}`, role: 'status' },
      (query.status === 'QUEUED' || query.status === 'RUNNING') && spinner(),
      STATUS_LABELS[query.status],
    );

  const show = (query: QueryView) => {
    if (query.status !== 'SUCCEEDED') {
      setChildren(
        outcome,
        status(query),
        query.status === 'FAILED' &&
          alertBox(
            'error',
            query.error?.message ?? 'The query failed.',
            h('span', { class: 'mono' }, query.error?.code ?? ''),
          ),
        queryStatistics(query),
      );
      return;
    }
    const columns = query.columns ?? [];
    const rows = query.rows ?? [];
    const choice = chooseChart(columns, rows);
    const shownRows =
      rows.length < (query.rowCount ?? 0) ? `the first ${rows.length} of ${query.rowCount} rows` : undefined;
    setChildren(
      outcome,
      status(query),
      queryStatistics(query),
      h(
        'section',
        { class: 'card chart-card', 'aria-labelledby': 'chart-title' },
        h('h2', { id: 'chart-title' }, 'Chart'),
        choice.kind === 'none'
          ? h('p', { class: 'hint' }, choice.reason)
          : [
              drawChart(columns, rows, choice),
              choice.kind === 'bar' &&
                rows.length > MAX_BARS &&
                h('p', { class: 'hint' }, `The first ${MAX_BARS} rows.`),
            ],
      ),
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'results-title' },
        h('h2', { id: 'results-title' }, 'Results'),
        shownRows && h('p', { class: 'hint' }, `Showing ${shownRows}; the whole result is a Parquet file.`),
        rows.length === 0 ? h('p', {}, 'No rows.') : resultTable('Query results', columns, rows),
        query.resultsUrl !== undefined &&
          h(
            'a',
            { class: 'button', href: query.resultsUrl, download: `${query.queryId}.parquet` },
            'Download results (Parquet)',
          ),
      ),
    );
  };

  let running: AbortController | undefined;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (run.disabled) return;
    const sql = editor.value.trim();
    if (sql === '') {
      outcome.replaceChildren(alertBox('error', 'Write a SELECT to run.'));
      editor.focus();
      return;
    }
    // The console's link keeps the query (a reload or a shared link runs the same SQL).
    window.history.replaceState(null, '', `#/lake/sql?${new URLSearchParams({ sql })}`);
    running?.abort();
    running = new AbortController();
    const signal = AbortSignal.any([context.signal, running.signal]);
    const restore = busy(run, 'Running…');
    outcome.replaceChildren(h('p', { class: 'query-status', role: 'status' }, spinner(), 'Starting'));
    try {
      show(await runQuery(context.api, sql, signal, (query) => show(query)));
    } catch (error) {
      if (signal.aborted) return;
      // A refusal before it ran: its SQL (400), its size (413), the bytes it would scan (422).
      const code = error instanceof ApiError ? error.code : undefined;
      outcome.replaceChildren(
        alertBox('error', describeError(error).message, code && h('span', { class: 'mono' }, code)),
      );
    } finally {
      restore();
    }
  });
  editor.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  return pageLayout(
    context.flash,
    'SQL console',
    h('a', { class: 'button', href: '#/lake' }, 'Search the lake'),
    form,
    outcome,
  );
};
