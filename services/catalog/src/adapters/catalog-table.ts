import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import { writtenUnlessConditionFails } from '@serverless-patterns/shared/dynamodb';
import type { CatalogEntry } from '@serverless-patterns/shared/schemas/events';
import type { CatalogStore, WriteOutcome } from '../core/catalog-registrar';

/** pk: `<zone>/<dataset>`; sk: the object key. */
export function datasetKey(entry: Pick<CatalogEntry, 'zone' | 'dataset'>): string {
  return `${entry.zone}/${entry.dataset}`;
}

/** Long enough for any delayed or retried S3 event (async retries end within 6 hours). */
const TOMBSTONE_DAYS = 7;

/** Only an event later than the one stored for the key may write: replays and late events change nothing. */
const LATER_THAN_STORED = 'attribute_not_exists(sk) OR sequencer < :sequencer';

export function createCatalogTable({
  client = documentClient,
  tableName,
  clock = () => new Date(),
}: {
  client?: DynamoDBDocumentClient;
  tableName: string;
  clock?: () => Date;
}): CatalogStore {
  /** A refused write is a replay when the stored sequencer is this one, stale when it is later. */
  const putIfLater = async (
    item: Record<string, unknown> & { pk: string; sk: string },
    sequencer: string,
  ): Promise<WriteOutcome> => {
    const written = await writtenUnlessConditionFails(() =>
      client.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...item, sequencer },
          ConditionExpression: LATER_THAN_STORED,
          ExpressionAttributeValues: { ':sequencer': sequencer },
        }),
      ),
    );
    if (written) return 'written';
    const { Item } = await client.send(
      new GetCommand({
        TableName: tableName,
        Key: { pk: item.pk, sk: item.sk },
        ConsistentRead: true,
        ProjectionExpression: 'sequencer',
      }),
    );
    return Item?.sequencer === sequencer ? 'replayed' : 'stale';
  };

  return {
    put: (entry, sequencer) => putIfLater({ pk: datasetKey(entry), sk: entry.key, ...entry }, sequencer),
    // A removal leaves a tombstone carrying its sequencer, so that an older "created" event that
    // arrives late cannot bring the object back. The tombstone expires after TOMBSTONE_DAYS.
    remove(entry, sequencer) {
      const removedAt = clock();
      return putIfLater(
        {
          pk: datasetKey(entry),
          sk: entry.key,
          removed: true,
          removedAt: removedAt.toISOString(),
          expiresAt: Math.floor(removedAt.getTime() / 1000) + TOMBSTONE_DAYS * 86_400,
        },
        sequencer,
      );
    },
    async hasLiveObjects(entry, folder) {
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        // The filter applies after each page is read: a page of tombstones says nothing, the next may.
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :folder)',
            FilterExpression: 'attribute_not_exists(removed)',
            ExpressionAttributeValues: { ':pk': datasetKey(entry), ':folder': folder },
            ProjectionExpression: 'sk',
            ConsistentRead: true,
            ExclusiveStartKey,
          }),
        );
        if ((page.Items ?? []).length > 0) return true;
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey !== undefined);
      return false;
    },
  };
}
