import { type FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { firehose } from '@serverless-patterns/shared/clients/firehose';
import type { RecordStream } from '../core/record-putter';

/**
 * The clicks' Firehose delivery stream (serverless.yml, ClicksDeliveryStream). A call that fails as a
 * whole is retried by the SDK client (throttling, 5xx); records refused alone come back to the
 * collector, which sends only those again.
 * https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecordBatch.html
 */
export function createClicksDeliveryStream({
  client = firehose,
  deliveryStreamName,
}: {
  client?: FirehoseClient;
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
