import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import {
  clientConfig,
  deliveredLines,
  eventually,
  localCloudSuite,
  type People,
  type Person,
  people,
  serviceOf,
} from '@serverless-patterns/local/testing';
import type { Alert, WindowAggregate } from '@serverless-patterns/shared/schemas/events';
import { expect } from 'chai';
import { kplAggregated } from '../../tools/kpl-records';

// Thermostat telemetry on the local cloud, end to end: a device registered through api (its event
// reaches clickstream's thresholds copy), readings through POST /clicks/telemetry/{deviceId} with its
// token and straight onto the stream with the SDK's default (HTTP/2) Kinesis client, plain and
// KPL-aggregated, the tumbling window (3 s in the test cloud, harness.ts), aggregates, alerts and the
// error stream. Counts are checked over all of a device's windows: readings may straddle two windows.

/** The local test cloud's tumbling window (harness.ts: telemetryWindowSeconds 3), aligned on the epoch. */
const TEST_WINDOW_MS = 3_000;

/** Waits until a tumbling window of `windowMs` has just begun (windows start at multiples of it). */
async function windowStart(windowMs: number): Promise<void> {
  await sleep(windowMs - (Date.now() % windowMs) + 50);
}

describe('telemetry, end to end on the local cloud', function () {
  this.timeout(120_000);
  const suite = localCloudSuite();
  let persons: People;
  let owner: Person;
  let deviceId: string;
  let token: string;
  let kinesis: KinesisClient;

  const url = (path: string) => `${suite.cloud.description.portalUrl}${path}`;
  const asOwner = (path: string) =>
    fetch(url(path), { headers: { authorization: `Bearer ${owner.idToken}` } });
  const reading = (readingId: string, temperatureC: number) => ({
    readingId,
    temperatureC,
    humidity: 40,
    recordedAt: new Date().toISOString(),
  });
  const postReadings = (readings: unknown[], device = deviceId, deviceToken = token) =>
    fetch(url(`/clicks/telemetry/${device}`), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-device-token': deviceToken },
      body: JSON.stringify({ readings }),
    });
  const aggregates = async (): Promise<WindowAggregate[]> => {
    const from = new Date(Date.now() - 10 * 60_000).toISOString();
    const response = await asOwner(`/clicks/telemetry/${deviceId}/aggregates?from=${from}`);
    return response.status === 200
      ? ((await response.json()) as { aggregates: WindowAggregate[] }).aggregates
      : [];
  };
  const counted = (windows: WindowAggregate[]) => windows.reduce((sum, window) => sum + window.count, 0);

  async function registerDevice(thresholdC: number): Promise<{ deviceId: string; token: string }> {
    const registered = await fetch(url('/devices'), {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.idToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Hall', location: 'Ground floor', thresholdC }),
    });
    expect(registered.status).to.equal(201);
    const { deviceId: id } = (await registered.json()) as { deviceId: string };
    const issued = await fetch(url(`/devices/${id}/token`), {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.idToken}` },
    });
    expect(issued.status).to.equal(201);
    return { deviceId: id, token: ((await issued.json()) as { token: string }).token };
  }

  before(async () => {
    const { description } = suite.cloud;
    persons = people(description);
    owner = await persons.create();
    kinesis = new KinesisClient(clientConfig(description, description.endpoints.kinesis as string));
    ({ deviceId, token } = await registerDevice(25));
    // DeviceRegistered: api's table stream -> EventBridge -> clickstream's copy of thresholds.
    const thresholds = serviceOf(description, 'clickstream').resource('ThresholdsTable');
    const copied = await eventually(
      () =>
        suite.aws.dynamodb.send(
          new GetItemCommand({ TableName: thresholds, Key: { deviceId: { S: deviceId } } }),
        ),
      ({ Item }) => Item !== undefined,
      30_000,
    );
    expect(copied.Item?.thresholdC?.N).to.equal('25');
  });

  after(() => {
    kinesis?.destroy();
    persons?.destroy();
  });

  it('refuses a reading without a token (401), with a token of another device (403), and a malformed body (400)', async () => {
    const other = await registerDevice(25);

    expect((await postReadings([reading('x', 20)], deviceId, 'not-a-token')).status).to.equal(401);
    expect((await postReadings([reading('x', 20)], deviceId, other.token)).status).to.equal(403);
    const malformed = await postReadings([{ ...reading('x', 20), temperatureC: 'warm' }]);
    expect(malformed.status).to.equal(400);
    expect(await malformed.text()).to.include('readings.0.temperatureC');
  });

  it('counts every reading once (a resent one, KPL and plain records, a function error mid-window), raises one alert per window above the threshold, and fans out the raw readings', async () => {
    const { description } = suite.cloud;
    const streamName = serviceOf(description, 'clickstream').resource('TelemetryStream');
    const errorsStream = serviceOf(description, 'clickstream').resource('TelemetryErrorsDeliveryStream');
    const ids = Array.from({ length: 12 }, (_, index) => `r-${index}`);

    // Through the route: six readings, then the last two again (the device did not get the answer).
    // Resent within the window they count once; a resend arriving after the window closed would count
    // in the next (windows follow arrival time), so both posts go at the start of a window.
    await windowStart(TEST_WINDOW_MS);
    const first = await postReadings(ids.slice(0, 6).map((id) => reading(id, 30)));
    expect(first.status).to.equal(202);
    expect(await first.json()).to.deep.equal({ accepted: 6 });
    expect((await postReadings(ids.slice(4, 6).map((id) => reading(id, 30)))).status).to.equal(202);

    // The error stream refuses every try of the next invocation's malformed reading: the invocation
    // fails mid-window, Lambda delivers the batch again, and nothing in it is counted twice.
    const faults = await fetch(`${description.endpoints.firehose}/_local/faults`, {
      method: 'POST',
      body: JSON.stringify({ fault: 'PutRecordBatch.record', deliveryStreamName: errorsStream, times: 4 }),
    });
    expect(faults.status).to.be.below(300);
    // Straight onto the stream with the SDK's default client: a KPL record of three, a plain one, and a
    // poison record (not JSON) that must reach the error prefix while the shard moves on.
    const json = (id: string) => Buffer.from(JSON.stringify({ deviceId, ...reading(id, 30) }));
    const [aggregated] = kplAggregated(deviceId, ids.slice(6, 9).map(json));
    const poison = `poison-${randomUUID()}`;
    const put = await kinesis.send(
      new PutRecordsCommand({
        StreamName: streamName,
        Records: [
          { PartitionKey: deviceId, Data: aggregated },
          { PartitionKey: deviceId, Data: json(ids[9] as string) },
          { PartitionKey: deviceId, Data: Buffer.from(`{${poison}`) },
        ],
      }),
    );
    expect(put.FailedRecordCount).to.equal(0);
    expect((await postReadings(ids.slice(10).map((id) => reading(id, 30)))).status).to.equal(202);

    const windows = await eventually(aggregates, (found) => counted(found) >= ids.length, 60_000);
    expect(counted(windows)).to.equal(ids.length);
    expect(windows.every((window) => window.average === 30)).to.equal(true);

    const alerts = await eventually(
      async () => ((await (await asOwner('/clicks/alerts')).json()) as { alerts: Alert[] }).alerts,
      (found) => found.filter((alert) => alert.deviceId === deviceId).length >= windows.length,
      30_000,
    );
    const mine = alerts.filter((alert) => alert.deviceId === deviceId);
    expect(mine.map((alert) => alert.windowStart).sort()).to.deep.equal(
      windows.map((window) => window.windowStart).sort(),
    );
    expect(mine.every((alert) => alert.thresholdC === 25 && alert.kind === 'ABOVE_THRESHOLD')).to.equal(true);

    // The fan-out stored each reading's record once per stream position (the two resent readings went
    // through the route again, so they have two positions each); reading ids: all twelve.
    const rawReadings = serviceOf(description, 'clickstream').resource('RawReadingsTable');
    const raw = await eventually(
      async () =>
        (
          await suite.aws.dynamodb.send(
            new QueryCommand({
              TableName: rawReadings,
              KeyConditionExpression: 'deviceId = :deviceId',
              ExpressionAttributeValues: { ':deviceId': { S: deviceId } },
            }),
          )
        ).Items ?? [],
      (items) => items.length >= ids.length + 2,
      30_000,
    );
    expect(raw).to.have.length(ids.length + 2);
    expect(new Set(raw.map((item) => item.readingId?.S))).to.deep.equal(new Set(ids));

    const lake = serviceOf(description, 'catalog').resource('LakeBucket');
    const poisonInBase64 = Buffer.from(`{${poison}`).toString('base64');
    const errorLines = await eventually(
      async () =>
        (await deliveredLines(suite.aws.s3, lake, 'errors/telemetry/'))
          .map(({ line }) => line)
          .filter((line) => line.includes(poisonInBase64)),
      (lines) => lines.length > 0,
      30_000,
    );
    expect(JSON.parse(errorLines[0] as string).reason).to.match(/^not JSON/);
  });

  it("answers 404 for another person's device", async () => {
    const stranger = await persons.create();
    const response = await fetch(url(`/clicks/telemetry/${deviceId}/aggregates`), {
      headers: { authorization: `Bearer ${stranger.idToken}` },
    });
    expect(response.status).to.equal(404);
  });
});
