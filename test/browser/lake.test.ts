import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  type AwsClients,
  awsClients,
  eventually,
  type Person,
  people,
  serviceOf,
  useLocalCloud,
} from '@serverless-patterns/local/testing';
import type { CatalogSearchResponse } from '@serverless-patterns/shared/schemas/api';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ngramKey, writeNgramFiles } from '../../services/catalog/scripts/ngrams';
import {
  assertChromiumInstalled,
  launchChromium,
  PHONE,
  required,
  STEP_TIMEOUT_MS,
  warmUp,
} from './chromium';

// The lake's pages against the real catalog, in Debian's Chromium on a phone-sized screen: the seed's
// n-grams and a file of sign-ups are written to the lake bucket with the SDK; a person searches the
// lake and narrows it with facets, opens the n-gram dataset (schema, partitions, sample rows,
// personal data), runs the talk's query in the SQL console (its table, a line chart, the bytes it
// scanned and its time), a query that the column types draw as bars, and one the API refuses.
// Screenshots go to artifacts/browser/lake-*.png.

const ROOT = join(import.meta.dirname, '..', '..');
const SCREENSHOTS = join(ROOT, 'artifacts', 'browser');
// The catalog integration suite seeds the same n-grams (same bytes), so the two can share a cloud.
const NGRAMS = { grams: 300, firstDecade: 1970, lastDecade: 1990 };
const SIGNUPS_KEY = 'raw/signups/year=2026/signups-browser.jsonl';
// Registration: S3 notification, a Lambda, the table's stream, the index's Lambda.
const CATALOGUED_WITHIN_MS = 60_000;
// A query: the API, the queue, the worker's DuckDB on a cold emulator.
const QUERY_TIMEOUT_MS = 60_000;

describe('the lake’s pages in Chromium against the catalog (phone)', function () {
  this.timeout(120_000);

  let aws: AwsClients;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let portal: string;
  let person: Person;
  let workDir: string | undefined;
  const scriptErrors: string[] = [];
  const serverErrors: string[] = [];

  const shot = async (name: string, { fullPage = true } = {}) => {
    await page.screenshot({ path: join(SCREENSHOTS, `lake-${name}.png`), fullPage, animations: 'disabled' });
  };

  before(async function () {
    this.timeout(300_000);
    assertChromiumInstalled();
    const cloud = await useLocalCloud();
    aws = awsClients(cloud.description);
    const catalog = serviceOf(cloud.description, 'catalog');
    const bucket = catalog.resource('LakeBucket');
    portal = required(cloud.description.portalUrl, 'portal');
    const signUps = people(cloud.description);
    person = await signUps.create();
    signUps.destroy();

    workDir = await mkdtemp(join(tmpdir(), 'lake-browser-'));
    const put = (key: string, body: string | Uint8Array) =>
      aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    for (const [decade, file] of await writeNgramFiles(workDir, NGRAMS))
      await put(ngramKey(decade), await readFile(file));
    await put(SIGNUPS_KEY, '{"userId":"u-9","email":"zoe@example.com"}\n');
    // Everything written is in search before the person looks.
    const searchAs = async (query: string) =>
      (await (
        await fetch(`${portal}/catalog/search?${query}`, {
          headers: { authorization: `Bearer ${person.idToken}` },
        })
      ).json()) as CatalogSearchResponse;
    await eventually(
      async () => [await searchAs('dataset=ngram'), await searchAs('q=signups-browser')] as const,
      ([ngrams, signups]) => ngrams.total >= 3 && signups.total === 1,
      CATALOGUED_WITHIN_MS,
    );

    await mkdir(SCREENSHOTS, { recursive: true });
    browser = await launchChromium();
    context = await browser.newContext({ ...PHONE, locale: 'en-US' });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    page = await context.newPage();
    await warmUp(serviceOf(cloud.description, 'api'), ['authorizePeople']);
    await warmUp(catalog, ['authorizePeople', 'searchCatalog', 'startQuery', 'getQuery']);
    page.on('pageerror', (error) => scriptErrors.push(String(error)));
    page.on('console', (message) => {
      // A refused query is a 4xx the console shows; only script errors count here.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
        scriptErrors.push(message.text());
    });
    page.on('response', (response) => {
      if (response.status() >= 500) serverErrors.push(`${response.status()} ${response.url()}`);
    });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && context !== undefined && !page.isClosed()) {
      const file = `failure-lake-${this.currentTest.title.replace(/\W+/g, '-')}.png`;
      await page.screenshot({ path: join(SCREENSHOTS, file), fullPage: true }).catch(() => undefined);
    }
  });

  after(async () => {
    try {
      await context?.close();
    } finally {
      await browser?.close();
      aws?.destroy();
      if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
    }
  });

  it('signs in, opens Lake from the menu and searches it, with facets by dataset, format, zone and personal data', async () => {
    await page.goto(`${portal}/#/sign-in`);
    await page.getByLabel('Email', { exact: true }).fill(person.email);
    await page.getByLabel('Password', { exact: true }).fill(person.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Lake' }).click();
    await page.getByRole('heading', { name: 'Lake', exact: true }).waitFor();

    await page.getByRole('searchbox', { name: 'Search the lake' }).fill('ngram');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const filters = page.getByRole('navigation', { name: 'Filters' });
    await filters.getByRole('link', { name: /^Parquet, \d+ objects$/ }).waitFor();

    expect(await filters.getByRole('heading').allTextContents()).to.include.members([
      'Dataset',
      'Format',
      'Zone',
      'Personal data',
    ]);
    expect(await filters.getByRole('link', { name: /^ngram, / }).textContent()).to.equal('ngram3');
    expect(page.url()).to.contain('#/lake?q=ngram');
    await shot('search');
  });

  it('narrows the search to objects with e-mail addresses with a facet, and clears it', async () => {
    await page.getByRole('searchbox', { name: 'Search the lake' }).fill('');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const filters = page.getByRole('navigation', { name: 'Filters' });
    await filters.getByRole('link', { name: /^E-mail addresses, \d+ objects?$/ }).click();

    const chosen = filters.getByRole('link', { name: /^E-mail addresses, .*chosen/ });
    await chosen.waitFor();
    const found = page.getByRole('region', { name: 'Objects found' });
    await found.getByText(SIGNUPS_KEY).waitFor();
    expect(await found.getByRole('listitem').filter({ hasText: 'E-mail addresses' }).count()).to.be.above(0);
    expect(await found.getByText(ngramKey(1980)).count()).to.equal(0);
    expect(await chosen.getAttribute('aria-current')).to.equal('true');
    await shot('facet-email');

    await filters.getByRole('link', { name: 'Clear filters' }).click();
    await found.getByText(ngramKey(1980)).waitFor();
  });

  it('opens the n-gram dataset: its schema, partitions, sample rows and personal data', async () => {
    await page.getByRole('searchbox', { name: 'Search the lake' }).fill('ngram');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page
      .getByRole('region', { name: 'Objects found' })
      .getByRole('link', { name: 'ngram' })
      .first()
      .click();
    await page.getByRole('heading', { name: 'ngram', exact: true }).waitFor();

    const partitions = page.getByRole('region', { name: 'Partitions', exact: true });
    await partitions.waitFor();
    expect(await partitions.locator('tbody td.mono').allTextContents()).to.deep.equal([
      'decade=1970',
      'decade=1980',
      'decade=1990',
    ]);
    expect(await page.getByRole('region', { name: 'Personal data' }).textContent()).to.contain('None found.');
    const schema = page.getByRole('table', { name: 'Schema' });
    await schema.waitFor({ timeout: QUERY_TIMEOUT_MS });
    const columns = await schema
      .locator('tbody tr')
      .evaluateAll((rows) =>
        rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent)),
      );
    expect(columns).to.deep.include.members([
      ['gram', 'string'],
      ['year', 'bigint'],
      ['match_count', 'bigint'],
      ['decade', 'bigint'],
    ]);
    expect(
      await page.getByRole('region', { name: 'Sample rows', exact: true }).locator('tbody tr').count(),
    ).to.equal(10);
    // The sample reads one partition (the newest object's), not the dataset.
    expect(await page.locator('[data-stat="partitions"]').textContent()).to.equal('1 partition');
    await shot('dataset');
  });

  it('runs the talk’s query in the SQL console: its rows, a line chart by year, the bytes scanned and the time', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'SQL' }).click();
    await page.getByRole('heading', { name: 'SQL console' }).waitFor();
    expect(await page.getByLabel('SQL', { exact: true }).inputValue()).to.contain(
      "WHERE gram = 'just say no'",
    );

    await page.getByRole('button', { name: 'Run query' }).click();
    await page.getByRole('status').filter({ hasText: 'Succeeded' }).waitFor({ timeout: QUERY_TIMEOUT_MS });

    const results = page.getByRole('region', { name: 'Query results' });
    const first = await results.locator('tbody tr').first().locator('td').allTextContents();
    expect(first).to.deep.equal(['just say no', '1970', '55']);
    expect(await results.locator('tbody tr').count()).to.equal(30);
    await page.getByRole('img', { name: 'Line chart of sum(match_count) by year' }).waitFor();
    expect(await page.locator('[data-stat="bytes"]').textContent()).to.match(/^[\d.]+ (KB|MB)$/);
    expect(await page.locator('[data-stat="partitions"]').textContent()).to.equal('3 partitions');
    expect(await page.locator('[data-stat="run-time"]').textContent()).to.match(/^[\d.]+ s$/);
    expect(await page.locator('[data-stat="total-time"]').textContent()).to.match(/^[\d.]+ s$/);
    expect(page.url()).to.contain('#/lake/sql?sql=SELECT');
    await shot('sql-line');
  });

  it('draws the counts of a text column as bars, reading only the partition its filter keeps', async () => {
    await page
      .getByLabel('SQL', { exact: true })
      .fill(
        'SELECT gram, sum(match_count) AS matches FROM ngram WHERE decade = 1980 GROUP BY gram ORDER BY matches DESC, gram LIMIT 8',
      );
    await page.getByRole('button', { name: 'Run query' }).click();
    await page.getByRole('status').filter({ hasText: 'Succeeded' }).waitFor({ timeout: QUERY_TIMEOUT_MS });

    const chart = page.getByRole('img', { name: 'Bar chart of matches by gram' });
    await chart.waitFor();
    expect(await chart.locator('rect.bar').count()).to.equal(8);
    expect(await page.locator('[data-stat="partitions"]').textContent()).to.equal('1 partition');
    await shot('sql-bar');
  });

  it('shows the API’s refusal of a query that reads a file, without a server error', async () => {
    await page.getByLabel('SQL', { exact: true }).fill("SELECT * FROM read_csv('/etc/passwd')");
    const [refused] = await Promise.all([
      page.waitForResponse((response) => response.request().method() === 'POST'),
      page.getByRole('button', { name: 'Run query' }).click(),
    ]);

    expect(refused.status()).to.equal(400);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).to.contain('VALIDATION_FAILED');
    expect(await page.getByRole('img').count()).to.equal(0);
    await shot('sql-refused', { fullPage: false });
  });

  it('raised no script error and met no server error along the way', () => {
    expect(scriptErrors).to.deep.equal([]);
    expect(serverErrors).to.deep.equal([]);
  });
});
