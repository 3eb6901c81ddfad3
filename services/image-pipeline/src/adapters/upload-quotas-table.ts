import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import { writtenUnlessConditionFails } from '@serverless-patterns/shared/dynamodb';
import type { UploadCounter } from '../core/upload-quota';

/**
 * The uploads of each owner per day (serverless.yml, UploadQuotasTable: ownerId, day), one conditional
 * ADD per upload: the condition and the increment are one atomic write, so concurrent requests can
 * never take the count past the limit.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithItems.html#WorkingWithItems.AtomicCounters
 */
export function createUploadQuotasTable({
  client = documentClient,
  tableName,
}: {
  client?: DynamoDBDocumentClient;
  tableName: string;
}): UploadCounter {
  return {
    async take(ownerId, day, limit, expiresAt) {
      let count = 0;
      const taken = await writtenUnlessConditionFails(async () => {
        const { Attributes } = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { ownerId, day },
            UpdateExpression: 'ADD uploads :one SET expiresAt = :expiresAt',
            ConditionExpression: 'attribute_not_exists(uploads) OR uploads < :limit',
            ExpressionAttributeValues: {
              ':one': 1,
              ':limit': limit,
              // TTL reads epoch seconds: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-before-you-start.html
              ':expiresAt': Math.floor(expiresAt.getTime() / 1000),
            },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        count = Number(Attributes?.uploads ?? 0);
      });
      return taken ? count : 'exhausted';
    },
  };
}
