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
import {
  type ImageRecord,
  type ImageStatus,
  imageFailureCodeSchema,
  imageRecordSchema,
} from '@serverless-patterns/shared/schemas/api';
import type { GalleryStore, PageKey } from '../core/gallery';
import { failureOf } from '../core/images';
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
      if (created) return 'created';
      // Not written: the record exists (a replay, or another object at the same key). Its version,
      // read strongly consistent so that it is the record that refused the write.
      const { Item } = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: { imageId: record.imageId },
          ConsistentRead: true,
          ProjectionExpression: 'versionId',
        }),
      );
      const versionId: unknown = Item?.versionId;
      return { existing: { versionId: typeof versionId === 'string' ? versionId : undefined } };
    },

    async deleteIfUnchanged(record) {
      await writtenUnlessConditionFails(() =>
        client.send(
          new DeleteCommand({
            TableName: tableName,
            Key: { imageId: record.imageId },
            ConditionExpression: '#status = :processing AND createdAt = :createdAt',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':processing': 'PROCESSING', ':createdAt': record.createdAt },
          }),
        ),
      );
    },

    markReady: (imageId, { metadata, labels, thumbnails }, now) =>
      update(imageId, 'READY', now, { metadata, labels, thumbnails }, ['failure']),
    markUnsupported: (imageId, reason, metadata, now) =>
      update(imageId, 'UNSUPPORTED', now, { failure: reason, metadata }),
    markFailed: (imageId, failure, metadata, now) =>
      update(imageId, 'FAILED', now, { failure, metadata }, ['thumbnails']),

    async get(imageId) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: { imageId } }));
      return Item === undefined ? undefined : recordOf(Item);
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
      const items = Items.map(recordOf);
      return LastEvaluatedKey === undefined ? { items } : { items, next: LastEvaluatedKey as PageKey };
    },

    async delete(imageId) {
      await client.send(new DeleteCommand({ TableName: tableName, Key: { imageId } }));
    },
  };
}

/**
 * A stored item as a record. Records written before failures had codes hold `failure: { error, cause }`,
 * with the step's own error text as cause: they are served with the code their error names, or
 * ProcessingError, and that code's message; the old cause is not served.
 */
function recordOf(item: Record<string, unknown>): ImageRecord {
  const failure = item.failure as { code?: unknown; error?: unknown } | undefined;
  if (failure === undefined || failure.code !== undefined) return imageRecordSchema.parse(item);
  const code = imageFailureCodeSchema.safeParse(failure.error);
  return imageRecordSchema.parse({
    ...item,
    failure: failureOf(code.success ? code.data : 'ProcessingError'),
  });
}
