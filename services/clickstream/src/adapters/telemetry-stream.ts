import { type KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { kinesis } from '@serverless-patterns/shared/clients/kinesis';
import type { TelemetryStream } from '../core/telemetry-collector';

/**
 * The telemetry Kinesis stream (serverless.yml, TelemetryStream). A call that fails as a whole is
 * retried by the SDK client; records refused alone (ErrorCode per entry) go back to the collector, which
 * sends only those again.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html
 */
export function createTelemetryStream({
  client = kinesis,
  streamName,
}: {
  client?: Pick<KinesisClient, 'send'>;
  streamName: string;
}): TelemetryStream {
  return {
    forDevice: (deviceId) => ({
      async putBatch(records) {
        const { Records = [] } = await client.send(
          new PutRecordsCommand({
            StreamName: streamName,
            Records: records.map((Data) => ({ Data, PartitionKey: deviceId })),
          }),
        );
        return records.map((_, index) => {
          const entry = Records[index];
          return entry?.ErrorCode === undefined && entry?.SequenceNumber !== undefined
            ? { accepted: true as const }
            : { accepted: false as const, errorCode: entry?.ErrorCode ?? 'NoResponse' };
        });
      },
    }),
  };
}
