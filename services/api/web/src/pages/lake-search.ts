import type { CatalogFacets, CatalogMatch, CatalogSearch, CatalogSearchResponse } from '../api';
import { h, uniqueId } from '../dom';
import { datasetHref, FORMAT_LABELS, formatBytes, SENSITIVE_LABELS, ZONE_LABELS } from '../lake';
import type { Page } from '../page';
import { alertBox, describeError, loading, pageLayout } from '../ui';

/**
 * The lake: full-text search over the catalog (GET /catalog/search) with its facets. The search and
 * the chosen filters live in the URL (#/lake?q=ngram&format=parquet), so that a search is a link
 * and Back undoes a filter.
 */

const FILTERS = ['dataset', 'format', 'zone', 'sensitive'] as const;
type Filter = (typeof FILTERS)[number];

const FACET_TITLES: Record<Filter, string> = {
  dataset: 'Dataset',
  format: 'Format',
  zone: 'Zone',
  sensitive: 'Personal data',
};

const day = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

const labelOf = (filter: Filter, value: string) =>
  (filter === 'sensitive'
    ? SENSITIVE_LABELS[value]
    : filter === 'zone'
      ? ZONE_LABELS[value]
      : filter === 'format'
        ? FORMAT_LABELS[value]
        : undefined) ?? value;

export const lakeSearchPage: Page = (context) => {
  const search: CatalogSearch = { limit: 50 };
  const text = context.params.get('q') ?? '';
  if (text !== '') search.q = text;
  for (const filter of FILTERS) {
    const value = context.params.get(filter);
    if (value !== null && value !== '') search[filter] = value;
  }

  /** The same search with one filter set, or cleared when `value` is undefined. */
  const hrefWith = (filter: Filter, value: string | undefined) => {
    const params = new URLSearchParams();
    if (search.q !== undefined) params.set('q', search.q);
    for (const other of FILTERS) {
      const chosen = other === filter ? value : search[other];
      if (chosen !== undefined) params.set(other, chosen);
    }
    const query = params.toString();
    return query === '' ? '#/lake' : `#/lake?${query}`;
  };

  const inputId = uniqueId('lake-search');
  const input = h('input', {
    id: inputId,
    name: 'q',
    type: 'search',
    value: text,
    placeholder: 'ngram, email, clickstream 2026…',
    autocomplete: 'off',
    enterkeyhint: 'search',
  });
  const form = h(
    'form',
    { class: 'lake-search', role: 'search', 'aria-label': 'Search the lake' },
    h('label', { for: inputId, class: 'visually-hidden' }, 'Search the lake'),
    input,
    h('button', { type: 'submit', class: 'button primary' }, 'Search'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    const q = input.value.trim();
    if (q !== '') params.set('q', q);
    for (const filter of FILTERS) if (search[filter] !== undefined) params.set(filter, search[filter]);
    const query = params.toString();
    context.navigate(query === '' ? '/lake' : `/lake?${query}`);
  });

  const results = h('div', { class: 'lake-results', 'aria-live': 'polite', 'aria-busy': 'true' });

  const facetGroup = (filter: Filter, counts: Record<string, number>) => {
    const chosen = search[filter];
    const values = Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    if (values.length === 0 && chosen === undefined) return undefined;
    const titleId = uniqueId(`facet-${filter}`);
    return h(
      'section',
      { class: 'facet', 'aria-labelledby': titleId },
      h('h3', { id: titleId }, FACET_TITLES[filter]),
      h(
        'ul',
        { class: 'chips' },
        values.map(([value, count]) =>
          h(
            'li',
            {},
            h(
              'a',
              {
                class: `chip facet-value${value === chosen ? ' chosen' : ''}`,
                href: hrefWith(filter, value === chosen ? undefined : value),
                'aria-current': value === chosen ? 'true' : undefined,
                'aria-label': `${labelOf(filter, value)}, ${count} ${count === 1 ? 'object' : 'objects'}${
                  value === chosen ? ', chosen: choose to clear' : ''
                }`,
              },
              labelOf(filter, value),
              h('span', { class: 'facet-count' }, String(count)),
            ),
          ),
        ),
      ),
    );
  };

  const facetsOf = (facets: CatalogFacets) =>
    h(
      'nav',
      { class: 'facets card', 'aria-label': 'Filters' },
      FILTERS.map((filter) => facetGroup(filter, facets[filter])),
      FILTERS.some((filter) => search[filter] !== undefined) &&
        h(
          'a',
          {
            class: 'button quiet',
            href: search.q === undefined ? '#/lake' : `#/lake?${new URLSearchParams({ q: search.q })}`,
          },
          'Clear filters',
        ),
    );

  const matchItem = (match: CatalogMatch) =>
    h(
      'li',
      { class: 'card lake-match' },
      h(
        'div',
        { class: 'lake-match-head' },
        h('a', { href: datasetHref(match.zone, match.dataset), class: 'lake-dataset' }, match.dataset),
        h('span', { class: 'badge' }, ZONE_LABELS[match.zone] ?? match.zone),
      ),
      h('p', { class: 'mono lake-key' }, match.key),
      h(
        'p',
        { class: 'lake-meta' },
        [
          FORMAT_LABELS[match.format] ?? match.format,
          match.compression === 'gzip' ? 'gzip' : undefined,
          formatBytes(match.sizeBytes),
          match.table === undefined ? 'not queryable' : `table ${match.table}`,
          day.format(new Date(match.registeredAt)),
        ]
          .filter((part) => part !== undefined)
          .join(' · '),
      ),
      match.sensitive.length > 0 &&
        h(
          'ul',
          { class: 'chips', 'aria-label': 'Personal data found' },
          match.sensitive.map((kind) => h('li', { class: 'chip sensitive' }, SENSITIVE_LABELS[kind] ?? kind)),
        ),
    );

  const render = (response: CatalogSearchResponse) => {
    results.setAttribute('aria-busy', 'false');
    const shown = response.matches.length;
    results.replaceChildren(
      facetsOf(response.facets),
      response.total === 0
        ? h(
            'div',
            { class: 'empty' },
            h('h2', {}, 'Nothing found'),
            h(
              'p',
              {},
              'No object of the lake matches. Objects appear here seconds after they are written to the lake bucket.',
            ),
          )
        : h(
            'section',
            { class: 'lake-matches', 'aria-label': 'Objects found' },
            h(
              'p',
              { class: 'count' },
              response.total === 1
                ? '1 object'
                : shown < response.total
                  ? `${response.total} objects, the first ${shown} shown`
                  : `${response.total} objects`,
            ),
            h('ul', { class: 'lake-match-list' }, response.matches.map(matchItem)),
          ),
    );
  };

  const load = () => {
    results.setAttribute('aria-busy', 'true');
    results.replaceChildren(loading('Searching the lake…'));
    context.api.searchCatalog(search, context.signal).then(render, (error: unknown) => {
      if (context.signal.aborted) return;
      results.setAttribute('aria-busy', 'false');
      results.replaceChildren(
        alertBox(
          'error',
          `The lake could not be searched. ${describeError(error).message}`,
          h('button', { type: 'button', class: 'button', onclick: load }, 'Try again'),
        ),
      );
    });
  };
  load();

  return pageLayout(
    context.flash,
    'Lake',
    h('a', { class: 'button', href: '#/lake/sql' }, 'SQL console'),
    form,
    results,
  );
};
