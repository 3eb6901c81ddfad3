/**
 * npm run thermostats -- --devices 1000 --rate 20000 --duration 120 [--target stream|api] [--kpl]
 *                        [--hot 0.1] [--malformed 0.01] [--concurrency 8] [--cloud PATH]
 *
 * A fleet of thermostats on the local cloud: a new owner signs up, registers `--devices` thermostats
 * through the api (threshold 24 °C) and issues each a device token; then the fleet sends noisy readings
 * at `--rate` per second for `--duration` seconds, a share `--hot` of the devices above threshold and
 * `--malformed` of the readings malformed. `--target stream` (the default) puts them straight on the
 * telemetry stream, as AWS IoT's topic rule does (`--kpl`: KPL-aggregated, as a gateway does);
 * `--target api` posts them with each device's token. A progress bar, then a summary with what to
 * expect downstream: an aggregate per device and minute, an alert per hot device and minute.
 */
import { randomUUID } from 'node:crypto';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  CLOUD_OPTION,
  LOCAL_CLOUD_FILE,
  numberOption,
  parseCommandLine,
  usageError,
} from '@serverless-patterns/local/command-line';
import { clientConfig, people, readCloudDescription, serviceOf } from '@serverless-patterns/local/testing';
import { percentile } from '@serverless-patterns/shared/statistics';
import { MultiBar, Presets } from 'cli-progress';
import { createFleetReadings, type FleetRecord, simulatedDevices } from './fleet/readings';
import { apiSender, streamSender } from './fleet/senders';
import { generateLoad } from './load-generator';

const THERMOSTATS = {
  invocation: 'npm run thermostats --',
  synopsis: '[options]',
  about: [
    'A fleet of thermostats on the local cloud (.local/cloud.json, npm start): a new owner signs up,',
    'registers --devices thermostats through the api (threshold 24 °C) and issues each a device token;',
    'then the fleet sends noisy readings at --rate per second for --duration seconds, a share --hot of the',
    'devices above threshold and --malformed of the readings malformed. --target stream puts them straight',
    "on the telemetry stream with the SDK's default Kinesis client, as AWS IoT's topic rule does; --target",
    "api posts them to POST /clicks/telemetry/{deviceId} with each device's token. Progress bars, then a",
    "summary: sent, accepted, failed, put latency, the aggregates and alerts to expect, and the owner's",
    'e-mail and password for the portal.',
  ].join('\n'),
  options: {
    devices: {
      type: 'string',
      default: '100',
      placeholder: '<n>',
      description: 'thermostats to register, 1 to 100000 (default 100)',
    },
    rate: {
      type: 'string',
      default: '1000',
      placeholder: '<readings/s>',
      description: 'readings per second (default 1000)',
    },
    duration: {
      type: 'string',
      default: '60',
      placeholder: '<seconds>',
      description: 'how long to send (default 60)',
    },
    target: {
      type: 'string',
      default: 'stream',
      placeholder: '<stream|api>',
      description: 'stream: PutRecords on the telemetry stream; api: POST with each token (default stream)',
    },
    kpl: {
      type: 'boolean',
      default: false,
      description: 'with --target stream, KPL-aggregate the records per device, as a gateway does',
    },
    hot: {
      type: 'string',
      default: '0.1',
      placeholder: '<share>',
      description: 'the share of the devices above their threshold, 0 to 1 (default 0.1)',
    },
    malformed: {
      type: 'string',
      default: '0.01',
      placeholder: '<share>',
      description: 'the share of the readings malformed, 0 to 1 (default 0.01)',
    },
    concurrency: {
      type: 'string',
      default: '8',
      placeholder: '<calls>',
      description: 'calls in flight at once (default 8)',
    },
    cloud: { ...CLOUD_OPTION, default: LOCAL_CLOUD_FILE },
  },
} as const;

const { values } = parseCommandLine(THERMOSTATS);
const { invocation } = THERMOSTATS;
const deviceCount = numberOption(invocation, 'devices', values.devices, {
  min: 1,
  max: 100_000,
  integer: true,
});
const rate = numberOption(invocation, 'rate', values.rate, { min: 1 });
const durationMs = numberOption(invocation, 'duration', values.duration, { min: 1 }) * 1000;
const target = values.target;
if (target !== 'stream' && target !== 'api')
  usageError(invocation, `--target is stream or api, not '${target}'`);
const hotRatio = numberOption(invocation, 'hot', values.hot, { min: 0, max: 1 });
const malformedRatio = numberOption(invocation, 'malformed', values.malformed, { min: 0, max: 1 });
const concurrency = numberOption(invocation, 'concurrency', values.concurrency, { min: 1, integer: true });

async function main() {
  const description = await readCloudDescription(values.cloud).catch(() => {
    throw new Error(`no local cloud description at ${values.cloud}: run npm start first`);
  });
  const portal = description.portalUrl;
  if (portal === undefined) throw new Error('the local cloud has no front door');
  const clickstream = serviceOf(description, 'clickstream');

  const bars = new MultiBar(
    {
      format: '{label} |{bar}| {value}/{total} {extra}',
      noTTYOutput: true,
      notTTYSchedule: 5_000,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  // An owner, and the fleet registered through the api with a token each.
  const persons = people(description);
  const owner = await persons.create();
  const registering = bars.create(deviceCount, 0, { label: 'devices ', extra: 'registered' });
  const tokens = new Map<string, string>();
  const bearer = { authorization: `Bearer ${owner.idToken}`, 'content-type': 'application/json' };
  const registerOne = async (index: number) => {
    const registered = await fetch(`${portal}/devices`, {
      method: 'POST',
      headers: bearer,
      body: JSON.stringify({
        name: `Thermostat ${index + 1}`,
        location: `Room ${(index % 12) + 1}`,
        thresholdC: 24,
      }),
    });
    if (registered.status !== 201)
      throw new Error(`POST /devices answered ${registered.status}: ${await registered.text()}`);
    const { deviceId } = (await registered.json()) as { deviceId: string };
    const issued = await fetch(`${portal}/devices/${deviceId}/token`, { method: 'POST', headers: bearer });
    if (issued.status !== 201) throw new Error(`POST /devices/{id}/token answered ${issued.status}`);
    tokens.set(deviceId, ((await issued.json()) as { token: string }).token);
    registering.increment();
  };
  for (let start = 0; start < deviceCount; start += 16) {
    await Promise.all(
      Array.from({ length: Math.min(16, deviceCount - start) }, (_, i) => registerOne(start + i)),
    );
  }
  registering.stop();
  const devices = simulatedDevices([...tokens.keys()], hotRatio);
  const fleet = createFleetReadings({
    devices,
    malformedRatio,
    runId: randomUUID().slice(0, 8),
  });

  // The SDK's default Kinesis client (HTTP/2): the local stream speaks it too.
  const kinesis = new KinesisClient(clientConfig(description, description.endpoints.kinesis ?? ''));
  const api = apiSender({ telemetryUrl: `${portal}/clicks/telemetry`, tokens });
  const send =
    target === 'api'
      ? api.send
      : streamSender({ kinesis, streamName: clickstream.resource('TelemetryStream'), kpl: values.kpl });
  const total = Math.round((rate * durationMs) / 1000);
  const sending = bars.create(total, 0, { label: 'readings', extra: '' });
  const report = await generateLoad<FleetRecord>({
    rate,
    durationMs,
    batchSize: target === 'api' ? Math.max(devices.length, 100) : 500,
    concurrency,
    nextClick: fleet.next,
    send,
    onProgress: ({ sent, accepted, failed, elapsedMs }) =>
      sending.update(sent, {
        extra: `${accepted} accepted, ${failed} failed, ${Math.round(sent / (elapsedMs / 1000))}/s`,
      }),
  });
  sending.update(report.sent);
  bars.stop();

  const seconds = report.elapsedMs / 1000;
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  const hot = devices.filter((device) => device.baseC > device.thresholdC).length;
  console.log(
    [
      `target      ${target === 'api' ? 'POST /clicks/telemetry/{deviceId}' : `PutRecords${values.kpl ? ' (KPL aggregated)' : ''}`} on ${values.cloud}`,
      `devices     ${devices.length} registered, ${hot} above their threshold of 24 °C; the portal: sign in as ${owner.email} / ${owner.password}`,
      `sent        ${report.sent} readings in ${seconds.toFixed(1)} s (${Math.round(report.sent / seconds)}/s, asked ${rate}/s), ${fleet.stats.malformed} of them malformed`,
      `accepted    ${report.accepted}${target === 'api' ? ` (malformed refused with 400: ${api.refusedAsMalformed.count})` : ''}`,
      `failed      ${report.failed}`,
      `put latency p50 ${percentile(report.latenciesMs, 50).toFixed(1)} ms, p99 ${percentile(report.latenciesMs, 99).toFixed(1)} ms`,
      `expect      about ${devices.length * minutes} aggregates (a device per window of the run) and ${hot * minutes} alerts (GET /clicks/alerts as ${owner.email}), malformed readings under errors/telemetry/ of the lake`,
    ].join('\n'),
  );
  kinesis.destroy();
  persons.destroy();
  if (report.failed > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
