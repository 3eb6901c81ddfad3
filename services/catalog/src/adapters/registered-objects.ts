import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import type { RegisteredObjects } from '../core/jobs/compaction-job';
import { describeLakeObject } from '../core/lake-objects';
import { datasetKey } from './catalog-table';

/** The catalog table's entry of an object (written by registerObject), read consistently. */
export function createRegisteredObjects({
  client = documentClient,
  tableName,
  bucket,
  waitMs = 60_000,
  pollMs = 500,
}: {
  client?: DynamoDBDocumentClient;
  tableName: string;
  bucket: () => string;
  /** How long to wait, and how often to look. */
  waitMs?: number;
  pollMs?: number;
}): RegisteredObjects {
  const isRegistered = async (key: string) => {
    const described = describeLakeObject({ bucket: bucket(), key, sizeBytes: 0, eTag: '' }, new Date(0));
    if (!described.catalogued) throw new Error(`${key} is not catalogued: ${described.reason}`);
    const { Item } = await client.send(
      new GetCommand({
        TableName: tableName,
        Key: { pk: datasetKey(described.entry), sk: key },
        ConsistentRead: true,
      }),
    );
    return Item !== undefined && Item.removed !== true;
  };
  return {
    async waitUntilRegistered(key) {
      for (
        const deadline = Date.now() + waitMs;
        ;
        await new Promise((resolve) => setTimeout(resolve, pollMs))
      ) {
        if (await isRegistered(key)) return true;
        if (Date.now() > deadline) return false;
      }
    },
  };
}
