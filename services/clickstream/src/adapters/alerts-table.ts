import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import { isConditionFailure } from '@serverless-patterns/shared/dynamodb';
import type { Alert } from '@serverless-patterns/shared/schemas/events';
import type { AlertStore } from '../core/alert-raiser';

const MAX_LISTED = 100;

/** The alerts (serverless.yml, AlertsTable: ownerId, alertId), newest first for the portal's list. */
export function createAlertsTable({
  client = documentClient,
  tableName,
}: {
  client?: Pick<DynamoDBDocumentClient, 'send'>;
  tableName: string;
}): AlertStore & { latestOf(ownerId: string): Promise<Alert[]> } {
  return {
    async recordOnce(alert) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...alert, published: false },
            ConditionExpression: 'attribute_not_exists(alertId)',
          }),
        );
        return { created: true };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const { Item } = await client.send(
          new GetCommand({
            TableName: tableName,
            Key: { ownerId: alert.ownerId, alertId: alert.alertId },
            ConsistentRead: true,
          }),
        );
        const { published, ...existing } = (Item ?? alert) as Alert & { published?: boolean };
        return { created: false, published: published === true, alert: existing };
      }
    },
    async markPublished({ ownerId, alertId }) {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { ownerId, alertId },
          UpdateExpression: 'SET published = :true',
          ExpressionAttributeValues: { ':true': true },
        }),
      );
    },
    async latestOf(ownerId) {
      const { Items = [] } = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'ownerId = :ownerId',
          ExpressionAttributeValues: { ':ownerId': ownerId },
          ScanIndexForward: false,
          Limit: MAX_LISTED,
        }),
      );
      return Items.map(({ published: _published, ...alert }) => alert as Alert);
    },
  };
}
