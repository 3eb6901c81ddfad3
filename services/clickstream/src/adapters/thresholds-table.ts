import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import { writtenUnlessConditionFails } from '@serverless-patterns/shared/dynamodb';
import type { DeviceThreshold, ThresholdStore } from '../core/device-thresholds';

/** clickstream's copy of devices (serverless.yml, ThresholdsTable: deviceId), written from api's events. */
export function createThresholdsTable({
  client = documentClient,
  tableName,
}: {
  client?: Pick<DynamoDBDocumentClient, 'send'>;
  tableName: string;
}): ThresholdStore {
  return {
    async putIfNewer(entry) {
      const written = await writtenUnlessConditionFails(() =>
        client.send(
          new PutCommand({
            TableName: tableName,
            Item: entry,
            ConditionExpression: 'attribute_not_exists(deviceId) OR occurredAt < :occurredAt',
            ExpressionAttributeValues: { ':occurredAt': entry.occurredAt },
          }),
        ),
      );
      return written ? 'applied' : 'stale';
    },
    async find(deviceId) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: { deviceId } }));
      return Item as DeviceThreshold | undefined;
    },
  };
}
