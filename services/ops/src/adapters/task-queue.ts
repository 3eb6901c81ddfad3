import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { sqs as sharedSqs } from '@serverless-patterns/shared/clients/sqs';
import type { TaskTarget } from '../core/tasks/task-executor';

const BATCH = 10;

/** The executors' queue: one message per task x account x region. */
export function createTaskQueue({ client = sharedSqs, queueUrl }: { client?: SQSClient; queueUrl: string }) {
  return {
    async send(targets: readonly TaskTarget[]): Promise<void> {
      for (let start = 0; start < targets.length; start += BATCH) {
        const batch = targets.slice(start, start + BATCH);
        const { Failed = [] } = await client.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: batch.map((target, index) => ({
              Id: String(index),
              MessageBody: JSON.stringify(target),
            })),
          }),
        );
        if (Failed.length > 0) {
          throw new Error(
            `${Failed.length} executor message(s) were refused: ${Failed.map((f) => f.Message).join('; ')}`,
          );
        }
      }
    },
  };
}
