/**
 * npm run clicks -- --rate 20000 --duration 60 [--target firehose|api] [--batch N] [--concurrency N]
 *                   [--stream NAME] [--url URL] [--seed-products] [--cloud PATH]
 *
 * Shoppers' clicks at a steady rate, straight into the clicks delivery stream (PutRecordBatch, only
 * refused records sent again) or through POST /clicks, with a progress bar, ending with what was
 * sent, accepted and failed and the put latency. The local cloud's .local/cloud.json says where;
 * without it, AWS (the SDK's configuration, and --stream or --url).
 */
import {
  CLOUD_OPTION,
  numberOption,
  parseCommandLine,
  usageError,
} from '@serverless-patterns/local/command-line';
import type { ClickEvent } from '@serverless-patterns/shared/schemas/events';
import { percentile } from '@serverless-patterns/shared/statistics';
import { SingleBar } from 'cli-progress';
import { createClicksDeliveryStream } from '../src/adapters/clicks-delivery-stream';
import { createRecordPutter } from '../src/core/record-putter';
import { generateLoad, type SendResult } from './load-generator';
import { createShoppingSessions } from './shopping-sessions';
import { targets } from './targets';
import { seedProducts, THERMOSTATS } from './thermostats';

const CLICKS = {
  invocation: 'npm run clicks --',
  synopsis: '[options]',
  about: [
    "Sends shoppers' sessions (land on the shop, open thermostats, add to the cart, sometimes buy; 4 %",
    'crawlers) at a steady rate, straight into the clicks delivery stream (PutRecordBatch, only refused',
    'records sent again) or through POST /clicks, with a progress bar; ends with the clicks sent, accepted',
    'and failed and the put latency p50/p99. Where: the local cloud of .local/cloud.json (npm start);',
    "without it, AWS with the SDK's own configuration, and --stream or --url.",
  ].join('\n'),
  options: {
    rate: {
      type: 'string',
      default: '1000',
      placeholder: '<clicks/s>',
      description: 'clicks per second (default 1000)',
    },
    duration: {
      type: 'string',
      default: '10',
      placeholder: '<seconds>',
      description: 'how long to send (default 10)',
    },
    target: {
      type: 'string',
      default: 'firehose',
      placeholder: '<firehose|api>',
      description: 'firehose: PutRecordBatch on the delivery stream; api: POST /clicks (default firehose)',
    },
    batch: {
      type: 'string',
      placeholder: '<clicks>',
      description: 'clicks per call, at most 500 to firehose and 100 to the api (default the most)',
    },
    concurrency: {
      type: 'string',
      default: '8',
      placeholder: '<calls>',
      description: 'calls in flight at once (default 8)',
    },
    stream: {
      type: 'string',
      placeholder: '<name>',
      description: "the delivery stream (default the local cloud's clicks stream; needed without one)",
    },
    url: {
      type: 'string',
      placeholder: '<url>',
      description: "POST /clicks' URL (default the local cloud's; needed without one)",
    },
    cloud: CLOUD_OPTION,
    'seed-products': {
      type: 'boolean',
      default: false,
      description: "first put the store's thermostats (tools/thermostats.ts) into the products table",
    },
  },
} as const;

const { values } = parseCommandLine(CLICKS);
const target = values.target;
if (target !== 'firehose' && target !== 'api')
  usageError(CLICKS.invocation, `--target is firehose or api, not '${target}'`);
const rate = numberOption(CLICKS.invocation, 'rate', values.rate, { above: 0 });
const durationMs = numberOption(CLICKS.invocation, 'duration', values.duration, { above: 0 }) * 1000;
const batchSize = Math.min(
  target === 'api' ? 100 : 500,
  numberOption(CLICKS.invocation, 'batch', values.batch ?? (target === 'api' ? '100' : '500'), {
    min: 1,
    integer: true,
  }),
);
const concurrency = numberOption(CLICKS.invocation, 'concurrency', values.concurrency, {
  min: 1,
  integer: true,
});

async function main() {
  const where = await targets(values.cloud);
  if (values['seed-products']) {
    const TableName = where.productsTableName;
    if (TableName === undefined) throw new Error('no products table known: run npm start first');
    const seeded = await seedProducts(where.dynamodb, TableName);
    console.error(`seeded ${seeded} thermostats into ${TableName}`);
  }
  const send =
    target === 'api'
      ? apiSender(values.url ?? where.clicksUrl)
      : firehoseSender(values.stream ?? where.streamName, where);

  const sessions = createShoppingSessions({ productIds: THERMOSTATS.map((product) => product.productId) });
  const total = Math.round((rate * durationMs) / 1000);
  const bar = new SingleBar({
    format:
      'clicks |{bar}| {percentage}% | {value}/{total} sent | {accepted} accepted, {failed} failed | {perSecond}/s',
    noTTYOutput: true,
    notTTYSchedule: 5_000,
    hideCursor: true,
  });
  bar.start(total, 0, { accepted: 0, failed: 0, perSecond: 0 });
  const report = await generateLoad({
    rate,
    durationMs,
    batchSize,
    concurrency,
    nextClick: sessions.next,
    send,
    onProgress: ({ sent, accepted, failed, elapsedMs }) =>
      bar.update(sent, { accepted, failed, perSecond: Math.round(sent / (elapsedMs / 1000)) }),
  });
  bar.update(report.sent, { accepted: report.accepted, failed: report.failed });
  bar.stop();
  const seconds = report.elapsedMs / 1000;
  console.log(
    [
      `target      ${target === 'api' ? 'POST /clicks' : 'PutRecordBatch'} (${where.describedBy})`,
      `sent        ${report.sent} clicks in ${seconds.toFixed(1)} s (${Math.round(report.sent / seconds)}/s, asked ${rate}/s)`,
      `accepted    ${report.accepted}`,
      `failed      ${report.failed}`,
      `put latency p50 ${percentile(report.latenciesMs, 50).toFixed(1)} ms, p99 ${percentile(report.latenciesMs, 99).toFixed(1)} ms (${report.latenciesMs.length} calls of up to ${batchSize})`,
    ].join('\n'),
  );
  where.firehose.destroy();
  where.dynamodb.destroy();
  if (report.failed > 0) process.exitCode = 1;
}

function firehoseSender(streamName: string | undefined, where: Awaited<ReturnType<typeof targets>>) {
  if (streamName === undefined) throw new Error('--stream is required without a local cloud');
  const putter = createRecordPutter({
    stream: createClicksDeliveryStream({ client: where.firehose, deliveryStreamName: streamName }),
  });
  return async (clicks: ClickEvent[]): Promise<SendResult> => {
    const { refused } = await putter.putAll(clicks.map((click) => Buffer.from(`${JSON.stringify(click)}\n`)));
    return { accepted: clicks.length - refused.length, failed: refused.length };
  };
}

function apiSender(url: string | undefined) {
  if (url === undefined) throw new Error('--url is required without a local cloud');
  return async (clicks: ClickEvent[]): Promise<SendResult> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify({ clicks }),
    });
    if (response.status === 202) return { accepted: clicks.length, failed: 0 };
    if (response.status === 503) {
      const { error } = (await response.json()) as { error: { details?: unknown[] } };
      const failed = error.details?.length ?? clicks.length;
      return { accepted: clicks.length - failed, failed };
    }
    await response.body?.cancel();
    return { accepted: 0, failed: clicks.length };
  };
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
