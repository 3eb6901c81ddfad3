import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ImageRecord } from '@serverless-patterns/shared/schemas';
import type { ImageStore } from '../core/uploads';

export function createImagesTable({
  client,
  tableName,
}: {
  client: Pick<DynamoDBDocumentClient, 'send'>;
  tableName: string;
}): ImageStore {
  return {
    async createIfAbsent(record: ImageRecord) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: record,
            ConditionExpression: 'attribute_not_exists(imageId)',
          }),
        );
        return 'created';
      } catch (error) {
        // A failed condition means the record exists: this is a replay, and the first write stands.
        // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
        if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return 'exists';
        throw error;
      }
    },
  };
}
