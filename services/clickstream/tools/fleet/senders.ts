import { type KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { kplAggregated } from '../kpl-records';
import type { SendResult } from '../load-generator';
import type { FleetRecord } from './readings';

const MAX_RECORDS_PER_CALL = 500;
const MAX_TRIES = 4;

/**
 * Straight onto the telemetry stream, as the IoT topic rule (or a device gateway) puts readings: one
 * record per reading, or with `kpl` one KPL aggregated record per device and call. Records Kinesis
 * refuses are sent again (up to 4 tries, full-jitter backoff).
 */
export function streamSender({
  kinesis,
  streamName,
  kpl,
}: {
  kinesis: KinesisClient;
  streamName: string;
  kpl: boolean;
}) {
  return async (records: FleetRecord[]): Promise<SendResult> => {
    const entries: { entry: PutRecordsRequestEntry; readings: number }[] = [];
    if (kpl) {
      const byDevice = new Map<string, Buffer[]>();
      for (const record of records)
        byDevice.set(record.deviceId, [...(byDevice.get(record.deviceId) ?? []), record.data]);
      for (const [deviceId, data] of byDevice) {
        const built = kplAggregated(deviceId, data);
        // A device's readings fit one aggregated record at these batch sizes; share them out if not.
        const share = Math.floor(data.length / built.length);
        built.forEach((Data, index) => {
          const readings = index === built.length - 1 ? data.length - share * (built.length - 1) : share;
          entries.push({ entry: { Data, PartitionKey: deviceId }, readings });
        });
      }
    } else {
      for (const record of records)
        entries.push({ entry: { Data: record.data, PartitionKey: record.deviceId }, readings: 1 });
    }
    let pending = entries;
    for (let attempt = 1; pending.length > 0 && attempt <= MAX_TRIES; attempt += 1) {
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * 2 ** attempt));
      const refused: typeof entries = [];
      for (let start = 0; start < pending.length; start += MAX_RECORDS_PER_CALL) {
        const chunk = pending.slice(start, start + MAX_RECORDS_PER_CALL);
        const result = await kinesis
          .send(new PutRecordsCommand({ StreamName: streamName, Records: chunk.map(({ entry }) => entry) }))
          .catch(() => undefined);
        chunk.forEach((item, index) => {
          const outcome = result?.Records?.[index];
          if (outcome?.SequenceNumber === undefined || outcome.ErrorCode !== undefined) refused.push(item);
        });
      }
      pending = refused;
    }
    const failed = pending.reduce((sum, item) => sum + item.readings, 0);
    return { accepted: records.length - failed, failed };
  };
}

/**
 * Through POST /telemetry/{deviceId} with each device's token, one call per device and batch. A
 * malformed reading is posted alone: the route refuses it (400); it counts in `refusedAsMalformed`,
 * neither accepted nor failed.
 */
export function apiSender({
  telemetryUrl,
  tokens,
}: {
  telemetryUrl: string;
  tokens: ReadonlyMap<string, string>;
}) {
  const refusedAsMalformed = { count: 0 };
  const post = async (deviceId: string, body: string) => {
    const response = await fetch(`${telemetryUrl}/${deviceId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-device-token': tokens.get(deviceId) ?? '' },
      body,
    });
    await response.body?.cancel();
    return response.status;
  };
  const send = async (records: FleetRecord[]): Promise<SendResult> => {
    const byDevice = new Map<string, string[]>();
    let accepted = 0;
    let failed = 0;
    for (const record of records) {
      if (record.malformed) {
        const status = await post(record.deviceId, `{"readings":[${record.data.toString()}]}`);
        if (status === 400) refusedAsMalformed.count += 1;
        else failed += 1;
        continue;
      }
      const { deviceId: _deviceId, ...reading } = JSON.parse(record.data.toString()) as Record<
        string,
        unknown
      >;
      byDevice.set(record.deviceId, [...(byDevice.get(record.deviceId) ?? []), JSON.stringify(reading)]);
    }
    await Promise.all(
      [...byDevice].map(async ([deviceId, readings]) => {
        const status = await post(deviceId, `{"readings":[${readings.join(',')}]}`);
        if (status === 202) accepted += readings.length;
        else failed += readings.length;
      }),
    );
    return { accepted, failed };
  };
  return { send, refusedAsMalformed };
}
