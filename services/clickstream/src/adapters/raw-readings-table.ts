import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import type { RawReading } from '../core/fan-out';

const MAX_ITEMS_PER_CALL = 25;
const MAX_ROUNDS = 6;
/** Raw readings are kept 7 days (TTL on expiresAt). */
const RETENTION_SECONDS = 7 * 24 * 3600;

/**
 * Raw readings (serverless.yml, RawReadingsTable: deviceId, position), written with BatchWriteItem;
 * items DynamoDB leaves unprocessed are written again after a short backoff, and what is still left
 * fails the chunk, so that Lambda retries it (the same keys: nothing doubles).
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
 */
export function createRawReadingsTable({
  client = documentClient,
  tableName,
}: {
  client?: Pick<DynamoDBDocumentClient, 'send'>;
  tableName: string;
}) {
  return {
    async putAll(readings: readonly RawReading[]): Promise<void> {
      // One item per key in a call: a device that resent a reading in the same chunk has one position each.
      const unique = new Map(readings.map((reading) => [`${reading.deviceId}/${reading.position}`, reading]));
      const requests = [...unique.values()].map((reading) => ({
        PutRequest: {
          Item: {
            ...reading,
            expiresAt: Math.floor(Date.parse(reading.recordedAt) / 1000) + RETENTION_SECONDS,
          },
        },
      }));
      await Promise.all(
        Array.from({ length: Math.ceil(requests.length / MAX_ITEMS_PER_CALL) }, async (_, index) => {
          let pending = requests.slice(index * MAX_ITEMS_PER_CALL, (index + 1) * MAX_ITEMS_PER_CALL);
          for (let round = 1; pending.length > 0; round += 1) {
            if (round > MAX_ROUNDS) throw new Error(`${pending.length} raw readings left unprocessed`);
            if (round > 1)
              await new Promise((resolve) => setTimeout(resolve, Math.random() * 25 * 2 ** round));
            const { UnprocessedItems } = await client.send(
              new BatchWriteCommand({ RequestItems: { [tableName]: pending } }),
            );
            pending = (UnprocessedItems?.[tableName] ?? []) as typeof pending;
          }
        }),
      );
    },
  };
}
