import { type FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { firehose } from '@serverless-patterns/shared/clients/firehose';
import type { RecordStream } from '../core/record-putter';

/**
 * The telemetry error delivery stream (serverless.yml, TelemetryErrorsDeliveryStream: S3 under
 * errors/telemetry/). Records refused alone come back to the sink, which sends only those again.
 * https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecordBatch.html
 */
export function createTelemetryErrorsStream({
  client = firehose,
  deliveryStreamName,
}: {
  client?: Pick<FirehoseClient, 'send'>;
  deliveryStreamName: string;
}): RecordStream {
  return {
    async putBatch(records) {
      const { RequestResponses = [] } = await client.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: deliveryStreamName,
          Records: records.map((Data) => ({ Data })),
        }),
      );
      return records.map((_, index) => {
        const response = RequestResponses[index];
        return response?.ErrorCode === undefined && response?.RecordId !== undefined
          ? { accepted: true as const }
          : { accepted: false as const, errorCode: response?.ErrorCode ?? 'NoResponse' };
      });
    },
  };
}
