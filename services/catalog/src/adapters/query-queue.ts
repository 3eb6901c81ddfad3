import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { sqs } from '@serverless-patterns/shared/clients/sqs';
import type { QueryQueue } from '../core/lake-queries';

/** The queue of queries to run; the runQuery function consumes it. */
export function createQueryQueue({
  client = sqs,
  queueUrl,
}: {
  client?: SQSClient;
  queueUrl: string;
}): QueryQueue {
  return {
    async send(queryId) {
      await client.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify({ queryId }) }),
      );
    },
  };
}
