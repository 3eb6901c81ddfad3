import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import type { CatalogEntry } from '@serverless-patterns/shared/schemas/events';
import type { CatalogStore } from '../core/catalog-registrar';

/** pk: `<zone>/<dataset>`; sk: the object key. */
export function datasetKey(entry: Pick<CatalogEntry, 'zone' | 'dataset'>): string {
  return `${entry.zone}/${entry.dataset}`;
}

/** Long enough for any delayed or retried S3 event (async retries end within 6 hours). */
const TOMBSTONE_DAYS = 7;

export function createCatalogTable(tableName: string, clock: () => Date = () => new Date()): CatalogStore {
  return {
    async put(entry, sequencer) {
      return unlessStale(() =>
        documentClient.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: datasetKey(entry), sk: entry.key, sequencer, ...entry },
            ConditionExpression: 'attribute_not_exists(sk) OR sequencer < :sequencer',
            ExpressionAttributeValues: { ':sequencer': sequencer },
          }),
        ),
      );
    },
    // A removal leaves a tombstone carrying its sequencer, so that an older "created" event that
    // arrives late cannot bring the object back. The tombstone expires after TOMBSTONE_DAYS.
    async remove(entry, sequencer) {
      const removedAt = clock();
      return unlessStale(() =>
        documentClient.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              pk: datasetKey(entry),
              sk: entry.key,
              sequencer,
              removed: true,
              removedAt: removedAt.toISOString(),
              expiresAt: Math.floor(removedAt.getTime() / 1000) + TOMBSTONE_DAYS * 86_400,
            },
            ConditionExpression: 'attribute_not_exists(sk) OR sequencer < :sequencer',
            ExpressionAttributeValues: { ':sequencer': sequencer },
          }),
        ),
      );
    },
  };
}

async function unlessStale(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
