import { randomUUID } from 'node:crypto';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PutRecordCommand } from '@aws-sdk/client-firehose';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { deliveredLines, eventually, localCloudSuite, serviceOf } from '@serverless-patterns/local/testing';
import type { ClickEvent, LakeClick } from '@serverless-patterns/shared/schemas/events';
import { expect } from 'chai';

// Clicks as the shop sends them, on the local cloud: POST /clicks through the front door, the local
// Firehose (dynamic partitioning, the transformClicks Lambda, GZIP, backup, error prefix), the lake
// bucket in s3rver, and the catalog's S3 trigger. The test cloud buffers for a second (harness.ts).

const PRODUCT = { productId: 'th-aria-2', name: 'Aria Smart Thermostat', category: 'smart', price: 199 };

describe('clicks, end to end on the local cloud', function () {
  this.timeout(120_000);
  const suite = localCloudSuite();
  const session = `it-${randomUUID().slice(0, 8)}`;
  let lake: string;
  let streamName: string;

  before(async () => {
    const { description } = suite.cloud;
    const clickstream = serviceOf(description, 'clickstream');
    lake = serviceOf(description, 'catalog').resource('LakeBucket');
    streamName = clickstream.resource('ClicksDeliveryStream');
    await suite.aws.dynamodb.send(
      new PutItemCommand({
        TableName: clickstream.resource('ProductsTable'),
        Item: {
          productId: { S: PRODUCT.productId },
          name: { S: PRODUCT.name },
          category: { S: PRODUCT.category },
          price: { N: String(PRODUCT.price) },
          description: { S: 'Learns your schedule.' },
        },
      }),
    );
  });

  const click = (overrides: Partial<ClickEvent>): ClickEvent => ({
    eventId: randomUUID(),
    sessionId: session,
    type: 'page_view',
    page: '/shop',
    timestamp: Date.now(),
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0',
    ...overrides,
  });
  const postClicks = (body: unknown) =>
    fetch(`${suite.cloud.description.portalUrl}/clicks`, {
      method: 'POST',
      // What navigator.sendBeacon sends with a string: no preflight.
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify(body),
    });

  const linesUnder = (prefix: string) => deliveredLines(suite.aws.s3, lake, prefix);
  const mine = (lines: { key: string; line: string }[], eventIds: readonly string[]) =>
    lines.filter(({ line }) => eventIds.some((eventId) => line.includes(eventId)));
  async function waitForLines(prefix: string, eventIds: readonly string[], count = eventIds.length) {
    const found = await eventually(
      async () => mine(await linesUnder(prefix), eventIds),
      (lines) => lines.length >= count,
      60_000,
    );
    expect(found, `lines under ${prefix}`).to.have.length(count);
    return found;
  }

  it('lands the shop’s clicks enriched, by event type and day, as GZIP JSON lines under raw/clickstream/', async () => {
    const viewed = click({
      type: 'product_view',
      page: `/shop/${PRODUCT.productId}`,
      productId: PRODUCT.productId,
    });
    const added = click({
      type: 'add_to_cart',
      page: `/shop/${PRODUCT.productId}`,
      productId: PRODUCT.productId,
    });

    const response = await postClicks({ clicks: [viewed, added] });

    expect(response.status).to.equal(202);
    expect(await response.json()).to.deep.equal({ accepted: 2 });
    const lines = await waitForLines('raw/clickstream/', [viewed.eventId, added.eventId]);
    const day = new Date(viewed.timestamp).toISOString().slice(0, 10).split('-');
    const byType = Object.fromEntries(
      lines.map(({ key, line }) => [JSON.parse(line).type, { key, click: JSON.parse(line) as LakeClick }]),
    );
    expect(byType.add_to_cart?.key).to.match(
      new RegExp(
        `^raw/clickstream/event_type=add_to_cart/year=${day[0]}/month=${day[1]}/day=${day[2]}/${streamName}-1-[\\d-]+-[0-9a-f-]{36}\\.jsonl\\.gz$`,
      ),
    );
    expect(byType.product_view?.key).to.include('/event_type=product_view/');
    const { timestamp, ...rest } = viewed;
    expect(byType.product_view?.click).to.deep.equal({
      ...rest,
      time: new Date(timestamp).toISOString(),
      product: { name: PRODUCT.name, category: PRODUCT.category, price: PRODUCT.price },
    });
  });

  it('registers the delivered objects in the catalog, dataset clickstream with its partitions', async () => {
    const added = click({
      type: 'add_to_cart',
      productId: PRODUCT.productId,
      page: `/shop/${PRODUCT.productId}`,
    });
    await postClicks({ clicks: [added] });
    const [delivered] = await waitForLines('raw/clickstream/event_type=add_to_cart/', [added.eventId]);
    const key = delivered?.key;
    const catalog = DynamoDBDocumentClient.from(suite.aws.dynamodb);
    const tableName = serviceOf(suite.cloud.description, 'catalog').resource('CatalogTable');

    const entries = await eventually(
      async () =>
        (
          await catalog.send(
            new QueryCommand({
              TableName: tableName,
              KeyConditionExpression: 'pk = :pk AND sk = :sk',
              ExpressionAttributeValues: { ':pk': 'raw/clickstream', ':sk': key },
            }),
          )
        ).Items ?? [],
      (items) => items.length === 1,
    );

    expect(entries).to.have.length(1);
    expect(entries[0]).to.deep.include({
      dataset: 'clickstream',
      zone: 'raw',
      format: 'jsonl',
      compression: 'gzip',
    });
    expect(entries[0]?.partitions).to.have.keys(['event_type', 'year', 'month', 'day']);
  });

  it('drops a bot’s click from raw/, and keeps every source record under backup/clickstream/', async () => {
    const human = click({ page: '/shop/human' });
    const bot = click({
      page: '/shop/bot',
      userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    });

    await postClicks({ clicks: [human, bot] });

    const backup = await waitForLines('backup/clickstream/', [human.eventId, bot.eventId]);
    await waitForLines('raw/clickstream/event_type=page_view/', [human.eventId]);
    expect(backup.map(({ line }) => JSON.parse(line))).to.deep.include(bot);
    expect(mine(await linesUnder('raw/clickstream/'), [bot.eventId])).to.deep.equal([]);
  });

  it('keeps a malformed record under errors/clickstream/processing-failed/ with its raw data', async () => {
    const marker = randomUUID();
    const malformed = `{"eventId":"${marker}","type":`;

    await suite.aws.firehose.send(
      new PutRecordCommand({ DeliveryStreamName: streamName, Record: { Data: Buffer.from(malformed) } }),
    );

    const [failed] = await eventually(
      async () =>
        (await linesUnder('errors/clickstream/processing-failed/'))
          .map(({ line }) => JSON.parse(line) as { rawData: string; errorCode: string })
          .filter((record) => Buffer.from(record.rawData, 'base64').toString() === malformed),
      (records) => records.length === 1,
      60_000,
    );
    expect(failed).to.include({ errorCode: 'Lambda.ProcessingFailedStatus', attemptsMade: 1 });
  });

  it('sends again the clicks Firehose refused, and answers 202 only once every click is in', async () => {
    const clicks = Array.from({ length: 4 }, (_, index) => click({ page: `/shop/retried-${index}` }));
    await armFault({ fault: 'PutRecordBatch.record', deliveryStreamName: streamName, times: 2 });

    const response = await postClicks({ clicks });

    expect(response.status).to.equal(202);
    await waitForLines(
      'raw/clickstream/event_type=page_view/',
      clicks.map((sent) => sent.eventId),
    );
  });

  it('refuses a click that breaks the shared schema with a 400 naming the field', async () => {
    const response = await postClicks({ clicks: [{ ...click({}), type: 'hover' }] });

    expect(response.status).to.equal(400);
    const body = (await response.json()) as { error: { details: { path: string }[] } };
    expect(body.error.details[0]?.path).to.equal('clicks.0.type');
  });

  async function armFault(fault: Record<string, unknown>) {
    const response = await fetch(`${suite.cloud.description.endpoints.firehose}/_local/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(fault),
    });
    expect(response.status).to.equal(201);
  }
});
