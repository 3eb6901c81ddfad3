import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type AwsClients,
  awsClients,
  deliveredLines,
  eventually,
  serviceOf,
  useLocalCloud,
} from '@serverless-patterns/local/testing';
import type { LakeClick } from '@serverless-patterns/shared/schemas/events';
import { lakeClickSchema } from '@serverless-patterns/shared/schemas/events';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { seedProducts, THERMOSTATS } from '../../services/clickstream/tools/thermostats';
import {
  assertChromiumInstalled,
  launchChromium,
  PHONE,
  required,
  STEP_TIMEOUT_MS,
  warmUp,
} from './chromium';

// The shop in Debian's Chromium on a phone-sized screen, as a visitor who is not signed in: the product
// list, a product's page, Add to cart; then the visitor leaves, and the clicks the page sent with
// navigator.sendBeacon (batched) are found in the lake: POST /clicks, the local Firehose, transformClicks'
// enrichment from the products table, GZIP JSON lines under raw/clickstream/event_type=.../ (the test
// cloud buffers for a second). Screenshots go to artifacts/browser/shop-*.png.

const ROOT = join(import.meta.dirname, '..', '..');
const SCREENSHOTS = join(ROOT, 'artifacts', 'browser');
// From a beacon to an object in S3: the collector, two Firehose buffers, the transformation.
const IN_THE_LAKE_WITHIN_MS = 120_000;

const ARIA = required(
  THERMOSTATS.find((product) => product.productId === 'th-aria-2'),
  'th-aria-2 in the seed',
);

describe('the shop in Chromium: clicks from a real page to the lake (phone)', function () {
  this.timeout(60_000);

  let aws: AwsClients;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let portal: string;
  let lake: string;
  const scriptErrors: string[] = [];
  const beacons: { method: string; contentType: string | undefined }[] = [];
  // Who the page said it was, read from its storage before it is left.
  let shopper: { sessionId: string; userId: string; userAgent: string } | undefined;

  const shot = async (name: string) => {
    await page.screenshot({
      path: join(SCREENSHOTS, `shop-${name}.png`),
      fullPage: true,
      animations: 'disabled',
    });
  };

  before(async function () {
    this.timeout(300_000);
    assertChromiumInstalled();
    const cloud = await useLocalCloud();
    aws = awsClients(cloud.description);
    portal = required(cloud.description.portalUrl, 'portal');
    const clickstream = serviceOf(cloud.description, 'clickstream');
    lake = serviceOf(cloud.description, 'catalog').resource('LakeBucket');
    await seedProducts(aws.dynamodb, clickstream.resource('ProductsTable'));

    await mkdir(SCREENSHOTS, { recursive: true });
    browser = await launchChromium();
    // Headless Chromium names itself HeadlessChrome, which transformClicks rightly drops as a robot's
    // click: the shopper here stands for a person's Chrome, so it says Chrome.
    const userAgent = `Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${browser.version()} Mobile Safari/537.36`;
    context = await browser.newContext({ ...PHONE, locale: 'en-US', userAgent });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    page = await context.newPage();
    await warmUp(clickstream, ['listProducts', 'getProduct', 'collectClicks', 'transformClicks']);
    page.on('pageerror', (error) => scriptErrors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') scriptErrors.push(message.text());
    });
    // Chromium reports the beacons of a live page, not those of a page being left (which are sent all
    // the same: the lake has them).
    context.on('request', (request) => {
      if (new URL(request.url()).pathname === '/clicks')
        beacons.push({ method: request.method(), contentType: request.headers()['content-type'] });
    });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && context !== undefined && !page.isClosed()) {
      const file = `failure-shop-${this.currentTest.title.replace(/\W+/g, '-')}.png`;
      await page.screenshot({ path: join(SCREENSHOTS, file), fullPage: true }).catch(() => undefined);
    }
  });

  after(async () => {
    try {
      await context?.close();
    } finally {
      await browser?.close();
      aws?.destroy();
    }
  });

  const menu = () => page.getByRole('navigation', { name: 'Main' }).getByRole('link');
  const cart = () => page.getByRole('region', { name: 'Cart' });

  it('shows a visitor who is not signed in the store’s thermostats, with Shop in the menu', async () => {
    await page.goto(`${portal}/#/shop`);
    await page.getByRole('heading', { name: 'Shop', exact: true }).waitFor();
    const products = page.getByRole('list').filter({ hasText: ARIA.name }).getByRole('listitem');
    await products.first().waitFor();

    expect(await menu().allTextContents()).to.deep.equal(['Shop']);
    expect(await products.count()).to.equal(THERMOSTATS.length);
    const aria = products.filter({ has: page.getByRole('link', { name: ARIA.name, exact: true }) });
    expect(await aria.textContent())
      .to.include('$199.00')
      .and.include('Smart');
    await page.getByRole('link', { name: 'Sign in' }).waitFor();
    await cart().getByText('Your cart is empty.').waitFor();
    await shot('list');
  });

  it('opens a product’s page and adds it to the cart, which the shop keeps', async () => {
    await page.getByRole('link', { name: ARIA.name, exact: true }).click();
    await page.getByRole('heading', { name: ARIA.name, exact: true }).waitFor();
    expect(new URL(page.url()).hash).to.equal(`#/shop/${ARIA.productId}`);
    expect(await page.getByRole('region', { name: ARIA.name }).textContent()).to.include('$199.00');

    await page.getByRole('button', { name: 'Add to cart' }).click();

    await page.getByText('1 in your cart.').waitFor();
    expect(await cart().textContent())
      .to.include(ARIA.name)
      .and.include('$199.00');
    await shot('product');
    // Fewer clicks than a batch wait (a page view, a product view, an add to cart): they leave when the
    // batch's time is up, in a beacon sent as text/plain (so, with no preflight).
    await eventually(
      async () => beacons.length,
      (count) => count > 0,
      STEP_TIMEOUT_MS,
    );
    for (const beacon of beacons)
      expect(beacon).to.deep.equal({ method: 'POST', contentType: 'text/plain;charset=utf-8' });
    // Back to the list (the same page: no unload): the cart is still there.
    await page.getByRole('link', { name: '← All thermostats' }).click();
    await page.getByRole('heading', { name: 'Shop', exact: true }).waitFor();
    expect(await cart().textContent())
      .to.include(ARIA.name)
      .and.include('1 item');
  });

  it('sends the page views, the product view and the add to cart, enriched in the lake by event type and day', async function () {
    this.timeout(IN_THE_LAKE_WITHIN_MS + 30_000);
    // A string, run in the page: this project's types have no DOM.
    shopper = (await page.evaluate(`({
      sessionId: sessionStorage.getItem('shop.sessionId') ?? '',
      userId: localStorage.getItem('shop.shopperId') ?? '',
      userAgent: navigator.userAgent,
    })`)) as { sessionId: string; userId: string; userAgent: string };
    expect(shopper.sessionId).to.match(/^s-[0-9a-f-]{36}$/);
    expect(shopper.userId).to.match(/^a-[0-9a-f-]{36}$/);

    // Leaving sends what the page still holds (pagehide, visibility hidden): the list's second page view.
    await page.goto('about:blank');

    const lines = await eventually(
      () => clicksOf(required(shopper, 'shopper').sessionId),
      (found) => found.length >= 4,
      IN_THE_LAKE_WITHIN_MS,
    );
    expect(lines.map(({ click }) => click.type).sort()).to.deep.equal([
      'add_to_cart',
      'page_view',
      'page_view',
      'product_view',
    ]);
    for (const { key, click } of lines) {
      const day = click.time.slice(0, 10).split('-');
      expect(key).to.match(
        new RegExp(
          `^raw/clickstream/event_type=${click.type}/year=${day[0]}/month=${day[1]}/day=${day[2]}/[^/]+\\.jsonl\\.gz$`,
        ),
      );
      expect(click).to.deep.include({
        sessionId: shopper.sessionId,
        userId: shopper.userId,
        userAgent: shopper.userAgent,
      });
    }
    const enriched = { name: ARIA.name, category: ARIA.category, price: ARIA.price };
    for (const type of ['product_view', 'add_to_cart'] as const) {
      const click = lines.find((line) => line.click.type === type)?.click;
      expect(click, type).to.deep.include({
        page: `/shop/${ARIA.productId}`,
        productId: ARIA.productId,
        product: enriched,
      });
    }
    for (const { click } of lines.filter((line) => line.click.type === 'page_view')) {
      expect(click.page).to.equal('/shop');
      expect(click).not.to.have.property('product');
    }
  });

  it('raised no script error along the way', () => {
    expect(scriptErrors).to.deep.equal([]);
  });

  // Objects are written once: each is read once, however often the lake is polled.
  // Delivered objects never change: each is read once across the polls.
  const readObjects = new Map<string, string[]>();
  /** The session's clicks in the lake's raw zone, each with the key of the object that holds it. */
  async function clicksOf(sessionId: string): Promise<{ key: string; click: LakeClick }[]> {
    return (await deliveredLines(aws.s3, lake, 'raw/clickstream/', readObjects))
      .filter(({ line }) => line.includes(sessionId))
      .map(({ key, line }) => ({ key, click: lakeClickSchema.parse(JSON.parse(line)) }));
  }
});
