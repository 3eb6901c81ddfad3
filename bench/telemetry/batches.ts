import { deaggregateSync } from 'aws-kinesis-agg';
import type { KinesisStreamRecord } from 'aws-lambda';
import { kplAggregated } from '../../services/clickstream/tools/kpl-records';

/**
 * Kinesis batches as the event source mapping delivers them (base64 data, sequence numbers, arrival
 * times), a share of them KPL-aggregated records of `perAggregate` readings, the rest plain.
 */
export function telemetryBatches({
  batches,
  recordsPerBatch,
  devices,
  kplShare = 0.5,
  perAggregate = 10,
}: {
  batches: number;
  recordsPerBatch: number;
  devices: number;
  kplShare?: number;
  perAggregate?: number;
}): { records: KinesisStreamRecord[]; readings: number }[] {
  let sequence = 0;
  let readingSeq = 0;
  const reading = (deviceId: string) =>
    Buffer.from(
      JSON.stringify({
        deviceId,
        readingId: `r${(readingSeq++).toString(36)}`,
        temperatureC: Math.round((18 + Math.random() * 8) * 100) / 100,
        humidity: 45,
        recordedAt: new Date().toISOString(),
      }),
    );
  return Array.from({ length: batches }, () => {
    let readings = 0;
    const records = Array.from({ length: recordsPerBatch }, (): KinesisStreamRecord => {
      const deviceId = `device-${sequence % devices}`;
      sequence += 1;
      let data: Buffer;
      if (Math.random() < kplShare) {
        data = kplAggregated(
          deviceId,
          Array.from({ length: perAggregate }, () => reading(deviceId)),
        )[0] as Buffer;
        readings += perAggregate;
      } else {
        data = reading(deviceId);
        readings += 1;
      }
      return {
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `shardId-000000000000:${sequence}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: 'arn:aws:iam::123456789012:role/bench',
        awsRegion: 'us-east-1',
        eventSourceARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/telemetry',
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: deviceId,
          sequenceNumber: String(sequence).padStart(56, '0'),
          data: data.toString('base64'),
          approximateArrivalTimestamp: Date.now() / 1000,
        },
      };
    });
    return { records, readings };
  });
}

/**
 * The floor: the same decoding as the aggregator (base64, KPL de-aggregation, JSON) and a per-device
 * sum, count, min and max, without validation, reading ids, state or the Lambda middleware.
 */
export function bareLoop(records: readonly KinesisStreamRecord[], tallies: Map<string, number[]>): number {
  let counted = 0;
  const add = (bytes: Buffer) => {
    const reading = JSON.parse(bytes.toString('utf8')) as { deviceId: string; temperatureC: number };
    const tally = tallies.get(reading.deviceId) ?? [0, 0, Infinity, -Infinity];
    tally[0] = (tally[0] as number) + reading.temperatureC;
    tally[1] = (tally[1] as number) + 1;
    tally[2] = Math.min(tally[2] as number, reading.temperatureC);
    tally[3] = Math.max(tally[3] as number, reading.temperatureC);
    tallies.set(reading.deviceId, tally);
    counted += 1;
  };
  for (const { kinesis } of records) {
    const bytes = Buffer.from(kinesis.data, 'base64');
    if (bytes[0] === 0xf3) {
      deaggregateSync(kinesis, true, (error, users) => {
        if (error) throw error;
        for (const user of users ?? []) add(Buffer.from(user.data, 'base64'));
      });
    } else add(bytes);
  }
  return counted;
}
