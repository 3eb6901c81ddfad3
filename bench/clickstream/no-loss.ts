import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import {
  type AwsClients,
  awsClients,
  type CloudProcess,
  serviceOf,
  startCloudProcess,
} from '@serverless-patterns/local/testing';
import { createClicksDeliveryStream } from '../../services/clickstream/src/adapters/clicks-delivery-stream';
import { createRecordPutter } from '../../services/clickstream/src/core/record-putter';
import { createShoppingSessions } from '../../services/clickstream/tools/shopping-sessions';
import { THERMOSTATS } from '../../services/clickstream/tools/thermostats';
import { table } from '../lib/stats';

/**
 * No loss: EVENTS clicks (1 % malformed, the generator's crawlers among them) into the clickstream's
 * delivery stream, with every 10th transformation invocation failing (Firehose retries it) and the
 * whole local cloud killed (SIGKILL, every process) once 60 % are accepted, then started again on
 * the same state. Every accepted click must then be in raw/clickstream/ (or, had its invocation
 * failed every retry, in the error prefix), every malformed one under errors/clickstream/processing-failed/,
 * no crawler's in either. Duplicates are counted: Firehose delivers at least once. Exits 1 on a loss.
 */
const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const KILL_AT = 0.6;
const PARAMS = { clicksBufferSeconds: '2' };
type Kind = 'click' | 'bot' | 'malformed';

async function main() {
  const stateDir = await mkdtemp(join(tmpdir(), 'bench-no-loss-'));
  const sessions = createShoppingSessions({ productIds: THERMOSTATS.map((product) => product.productId) });
  const events = Array.from({ length: EVENTS }, (_, index) => {
    if (index % 100 === 50) {
      const eventId = randomUUID();
      return { eventId, kind: 'malformed' as Kind, line: Buffer.from(`{"eventId":"${eventId}","type":\n`) };
    }
    const click = sessions.next();
    const kind: Kind = /bot/i.test(click.userAgent ?? '') ? 'bot' : 'click';
    return { eventId: click.eventId, kind, line: Buffer.from(`${JSON.stringify(click)}\n`) };
  });
  let cloud: CloudProcess = await startCloudProcess({ stateDir, params: PARAMS });
  let aws: AwsClients = awsClients(cloud.description);
  const clickstream = serviceOf(cloud.description, 'clickstream');
  const streamName = clickstream.resource('ClicksDeliveryStream');
  const lake = serviceOf(cloud.description, 'catalog').resource('LakeBucket');
  const armFaults = () =>
    fetch(`${cloud.description.endpoints.firehose}/_local/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fault: 'Lambda.invocation', deliveryStreamName: streamName, every: 10 }),
    });
  await armFaults();
  const started = performance.now();
  const queue = events.map((_, index) => index);
  const accepted = new Set<number>();
  let restarting: Promise<void> | undefined;
  let killedAt = 0;
  const restart = async () => {
    killedAt = accepted.size;
    console.error(`killing the local cloud with ${accepted.size} clicks accepted...`);
    await cloud.kill();
    aws.destroy();
    cloud = await startCloudProcess({ stateDir, params: PARAMS, fresh: false });
    aws = awsClients(cloud.description);
    await armFaults();
    console.error('started again on the same state');
  };
  try {
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (queue.length > 0) {
          if (restarting) await restarting;
          const batch = queue.splice(0, 500);
          const putter = createRecordPutter({
            stream: createClicksDeliveryStream({ client: aws.firehose, deliveryStreamName: streamName }),
            maxAttempts: 3,
          });
          const { refused } = await putter.putAll(
            batch.map((index) => (events[index] as (typeof events)[number]).line),
          );
          const refusedIndexes = new Set(refused.map((position) => batch[position]));
          for (const index of batch) {
            if (refusedIndexes.has(index)) queue.push(index);
            else accepted.add(index);
          }
          if (restarting === undefined && accepted.size >= EVENTS * KILL_AT) restarting = restart();
        }
      }),
    );
    await restarting;
    const sentSeconds = (performance.now() - started) / 1000;

    // Delivery goes on after the last put: wait until every accepted click is found, or nothing new arrives for a minute.
    const found = await readLake(aws.s3, lake, events, accepted);
    const byKind = (kind: Kind) => [...accepted].filter((index) => events[index]?.kind === kind);
    const clicks = byKind('click');
    const malformed = byKind('malformed');
    const bots = byKind('bot');
    const lostClicks = clicks.filter(
      (index) =>
        !found.raw.has(events[index]?.eventId as string) &&
        !found.errors.has(events[index]?.eventId as string),
    );
    const lostMalformed = malformed.filter((index) => !found.errors.has(events[index]?.eventId as string));
    const botsDelivered = bots.filter((index) => found.raw.has(events[index]?.eventId as string));
    const failedAfterRetries = clicks.filter((index) => found.errors.has(events[index]?.eventId as string));
    console.log(
      `\nno loss: ${EVENTS} clicks, every 10th transformation failing, the cloud killed at ${killedAt} accepted\n`,
    );
    console.log(
      table([
        ['', 'accepted', 'found', 'lost', 'duplicates'],
        [
          'clicks -> raw/clickstream/',
          clicks.length,
          clicks.length - lostClicks.length,
          lostClicks.length,
          found.rawDuplicates,
        ],
        [
          'malformed -> errors/.../processing-failed/',
          malformed.length,
          malformed.length - lostMalformed.length,
          lostMalformed.length,
          found.errorDuplicates,
        ],
        ['crawlers -> dropped', bots.length, `${botsDelivered.length} in raw/`, '', ''],
      ]),
    );
    console.log(
      `\n${failedAfterRetries.length} clicks in the error prefix after every retry failed; sent in ${sentSeconds.toFixed(0)} s, all found ${found.seconds.toFixed(0)} s later`,
    );
    if (lostClicks.length + lostMalformed.length + botsDelivered.length > 0) process.exitCode = 1;
  } finally {
    aws.destroy();
    await cloud.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

async function readLake(
  s3: S3Client,
  bucket: string,
  events: readonly { eventId: string; kind: Kind }[],
  accepted: ReadonlySet<number>,
) {
  const raw = new Set<string>();
  const errors = new Set<string>();
  let rawDuplicates = 0;
  let errorDuplicates = 0;
  const seen = new Set<string>();
  const wanted = [...accepted]
    .filter((index) => events[index]?.kind !== 'bot')
    .map((index) => events[index]?.eventId as string);
  const started = performance.now();
  let lastNew = Date.now();
  const eventIdOf = (text: string) => /"eventId":"([0-9a-f-]{36})"/.exec(text)?.[1];
  while (
    Date.now() - lastNew < 60_000 &&
    wanted.some((eventId) => !raw.has(eventId) && !errors.has(eventId))
  ) {
    for (const prefix of ['raw/clickstream/', 'errors/clickstream/']) {
      for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
        for (const { Key } of page.Contents ?? []) {
          if (Key === undefined || seen.has(Key)) continue;
          seen.add(Key);
          lastNew = Date.now();
          const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
          const text = gunzipSync(Buffer.from((await object.Body?.transformToByteArray()) ?? [])).toString(
            'utf8',
          );
          for (const line of text.split('\n')) {
            if (line === '') continue;
            if (prefix.startsWith('raw/')) {
              const eventId = eventIdOf(line);
              if (eventId === undefined) continue;
              if (raw.has(eventId)) rawDuplicates += 1;
              raw.add(eventId);
            } else {
              const eventId = eventIdOf(Buffer.from(JSON.parse(line).rawData, 'base64').toString('utf8'));
              if (eventId === undefined) continue;
              if (errors.has(eventId)) errorDuplicates += 1;
              errors.add(eventId);
            }
          }
        }
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return { raw, errors, rawDuplicates, errorDuplicates, seconds: (performance.now() - started) / 1000 };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
