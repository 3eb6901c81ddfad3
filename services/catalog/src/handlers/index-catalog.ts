import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { correlationPaths, instrumented, logger } from '@serverless-patterns/shared/observability';
import { catalogEntrySchema } from '@serverless-patterns/shared/schemas/events';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { catalogIndexer } from '../composition';
import type { IndexChange } from '../core/catalog-indexer';

const indexer = catalogIndexer();

/** A stream record as a change of the index, undefined for items that are not catalog entries. */
function changeOf(record: DynamoDBRecord): IndexChange | undefined {
  const image = record.dynamodb?.NewImage ?? record.dynamodb?.OldImage;
  if (image === undefined)
    throw new Error('the record carries no image (the stream must show new and old images)');
  const item = unmarshall(image as Record<string, AttributeValue>);
  // Catalog entries are keyed by `zone/dataset`; the index's own pointer has no slash.
  if (typeof item.pk !== 'string' || !item.pk.includes('/')) return undefined;
  if (record.eventName === 'REMOVE' || item.removed === true) return { kind: 'remove', key: String(item.sk) };
  const { pk: _pk, sk: _sk, sequencer: _sequencer, ...entry } = item;
  return { kind: 'upsert', entry: catalogEntrySchema.parse(entry) };
}

// A record that is not a valid entry fails alone: the stream retries it, then sends it to the
// failure queue; the others are indexed (an upsert or removal applied twice changes nothing).
export const handler = instrumented(
  async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const changes: IndexChange[] = [];
    const batchItemFailures: DynamoDBBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      try {
        const change = changeOf(record);
        if (change !== undefined) changes.push(change);
      } catch (error) {
        logger.error('catalog record not indexed', { eventID: record.eventID, error });
        batchItemFailures.push({ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' });
      }
    }
    const indexed = await indexer.apply(changes);
    logger.info('index updated', { changes: changes.length, ...indexed });
    return { batchItemFailures };
  },
  { correlationIdPath: correlationPaths.batchRecord },
);
