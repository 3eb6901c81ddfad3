import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import { writtenUnlessConditionFails } from '@serverless-patterns/shared/dynamodb';
import type { WindowAggregate } from '@serverless-patterns/shared/schemas/events';
import type { AggregateStore } from '../core/aggregate-recorder';
import type { StoredAggregate } from '../core/telemetry-window';

/** Aggregates are kept 30 days (TTL on expiresAt), long enough for the portal's charts. */
const RETENTION_SECONDS = 30 * 24 * 3600;
const MAX_RANGE_ITEMS = 1_440;

/**
 * The aggregates table (serverless.yml, AggregatesTable: deviceId, windowStart): one item per device
 * and window, with a version for conditional writes. Its stream (NEW_IMAGE) feeds the alerts.
 */
export function createAggregatesTable({
  client = documentClient,
  tableName,
}: {
  client?: Pick<DynamoDBDocumentClient, 'send'>;
  tableName: string;
}): AggregateStore & {
  between(deviceId: string, from: string, to: string): Promise<WindowAggregate[]>;
} {
  return {
    async get(deviceId, windowStart) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: { deviceId, windowStart }, ConsistentRead: true }),
      );
      if (Item === undefined) return undefined;
      const { version, ...aggregate } = Item as StoredAggregate & { version: number; expiresAt?: number };
      delete (aggregate as { expiresAt?: number }).expiresAt;
      return { aggregate, version };
    },

    async put(aggregate, expectedVersion) {
      const expiresAt = Math.floor(Date.parse(aggregate.windowEnd) / 1000) + RETENTION_SECONDS;
      const written = await writtenUnlessConditionFails(() =>
        client.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...aggregate, version: (expectedVersion ?? 0) + 1, expiresAt },
            ...(expectedVersion === undefined
              ? { ConditionExpression: 'attribute_not_exists(deviceId)' }
              : {
                  ConditionExpression: 'version = :version',
                  ExpressionAttributeValues: { ':version': expectedVersion },
                }),
          }),
        ),
      );
      return written ? 'saved' : 'conflict';
    },

    async between(deviceId, from, to) {
      const { Items = [] } = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'deviceId = :deviceId AND windowStart BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':deviceId': deviceId, ':from': from, ':to': to },
          Limit: MAX_RANGE_ITEMS,
        }),
      );
      return Items.map(({ deviceId: id, windowStart, windowEnd, count, sum, min, max, average }) => ({
        deviceId: id,
        windowStart,
        windowEnd,
        count,
        sum,
        min,
        max,
        average,
      })) as WindowAggregate[];
    },
  };
}
