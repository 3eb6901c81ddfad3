import { ServiceUnavailableError } from '@serverless-patterns/shared/errors';
import type { DeviceReading } from '@serverless-patterns/shared/schemas/api';
import type { TelemetryReading } from '@serverless-patterns/shared/schemas/events';
import { createRecordPutter, type PutterOptions, type RecordStream } from './record-putter';

/** The telemetry stream, as the collector needs it: a batch put of one device's records. */
export interface TelemetryStream {
  /** Records keyed by `deviceId` (the partition key): a device's readings stay in order on one shard. */
  forDevice(deviceId: string): RecordStream;
}

export interface TelemetryCollectorOptions extends Omit<PutterOptions, 'stream'> {
  stream: TelemetryStream;
}

/**
 * Puts a thermostat's readings on the telemetry stream, one record per reading with the device id as
 * partition key, resending only those Kinesis refused (record-putter.ts: PutRecords refuses records
 * alone, `ProvisionedThroughputExceededException` above a shard's 1,000 records/s). What is still refused
 * after the last try is a 503 naming those readings: the thermostat keeps them and sends them again, and
 * their reading ids make a resend harmless downstream.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html
 */
export function createTelemetryCollector({ stream, ...options }: TelemetryCollectorOptions) {
  return {
    async collect(deviceId: string, readings: readonly DeviceReading[]): Promise<{ accepted: number }> {
      const putter = createRecordPutter({ ...options, stream: stream.forDevice(deviceId) });
      const records = readings.map((reading) => {
        const record: TelemetryReading = { deviceId, ...reading };
        return Buffer.from(JSON.stringify(record));
      });
      const { refused, lastError = 'unknown' } = await putter.putAll(records);
      if (refused.length > 0) {
        throw new ServiceUnavailableError(
          `${refused.length} of ${readings.length} readings were not accepted (${lastError}); send them again`,
          { details: refused.map((index) => ({ path: `readings.${index}`, message: lastError })) },
        );
      }
      return { accepted: readings.length };
    },
  };
}
