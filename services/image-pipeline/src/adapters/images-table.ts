import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import { writtenUnlessConditionFails } from '@serverless-patterns/shared/dynamodb';
import { type ImageStatus, imageRecordSchema } from '@serverless-patterns/shared/schemas/api';
import type { GalleryStore, PageKey } from '../core/gallery';
import type { ImageStore } from '../core/uploads';
import type { ImageUpdates } from '../core/workflow';

/** The GSI of an owner's images, newest first (serverless.yml, ImagesTable). */
export const BY_OWNER_INDEX = 'byOwner';

export type ImagesTable = ImageStore & ImageUpdates & GalleryStore;

export function createImagesTable({
  client = documentClient,
  tableName,
}: {
  client?: DynamoDBDocumentClient;
  tableName: string;
}): ImagesTable {
  /** SET the given attributes (and REMOVE others) on an existing record; 'gone' if there is none. */
  const update = async (
    imageId: string,
    status: ImageStatus,
    now: Date,
    set: Record<string, unknown>,
    remove: readonly string[] = [],
  ): Promise<'updated' | 'gone'> => {
    const values: Record<string, unknown> = { ':status': status, ':updatedAt': now.toISOString() };
    const names: Record<string, string> = { '#status': 'status', '#updatedAt': 'updatedAt' };
    const assignments = ['#status = :status', '#updatedAt = :updatedAt'];
    for (const [name, value] of Object.entries(set)) {
      if (value === undefined) continue;
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      assignments.push(`#${name} = :${name}`);
    }
    for (const name of remove) names[`#${name}`] = name;
    const removal = remove.length > 0 ? ` REMOVE ${remove.map((name) => `#${name}`).join(', ')}` : '';
    const updated = await writtenUnlessConditionFails(() =>
      client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { imageId },
          // Never recreate a record the owner deleted while the image was being processed.
          ConditionExpression: 'attribute_exists(imageId)',
          UpdateExpression: `SET ${assignments.join(', ')}${removal}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
    return updated ? 'updated' : 'gone';
  };

  return {
    async createIfAbsent(record) {
      const created = await writtenUnlessConditionFails(() =>
        client.send(
          new PutCommand({
            TableName: tableName,
            Item: record,
            ConditionExpression: 'attribute_not_exists(imageId)',
          }),
        ),
      );
      // Not written: the record exists, this is a replay, and the first write stands.
      return created ? 'created' : 'exists';
    },

    saveMetadata: (imageId, metadata, now) => update(imageId, 'PROCESSING', now, { metadata }),
    markReady: (imageId, { labels, thumbnails }, now) =>
      update(imageId, 'READY', now, { labels, thumbnails }, ['failure']),
    markUnsupported: (imageId, reason, metadata, now) =>
      update(imageId, 'UNSUPPORTED', now, { failure: reason, metadata }),
    markFailed: (imageId, failure, now) => update(imageId, 'FAILED', now, { failure }, ['thumbnails']),

    async get(imageId) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: { imageId } }));
      return Item === undefined ? undefined : imageRecordSchema.parse(Item);
    },

    async listByOwner(ownerId, { limit, after }) {
      const { Items = [], LastEvaluatedKey } = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: BY_OWNER_INDEX,
          KeyConditionExpression: 'ownerId = :ownerId',
          ExpressionAttributeValues: { ':ownerId': ownerId },
          ScanIndexForward: false,
          Limit: limit,
          ...(after ? { ExclusiveStartKey: { ...after } } : {}),
        }),
      );
      const items = Items.map((item) => imageRecordSchema.parse(item));
      return LastEvaluatedKey === undefined ? { items } : { items, next: LastEvaluatedKey as PageKey };
    },

    async delete(imageId) {
      await client.send(new DeleteCommand({ TableName: tableName, Key: { imageId } }));
    },
  };
}
