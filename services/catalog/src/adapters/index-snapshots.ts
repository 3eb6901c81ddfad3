import { randomUUID } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import { s3 } from '@serverless-patterns/shared/clients/s3';
import { writtenUnlessConditionFails } from '@serverless-patterns/shared/dynamodb';
import type { IndexSnapshots } from '../core/catalog-indexer';

/**
 * The pointer's key in the catalog table: every catalog entry's pk has a `/` (`zone/dataset`), this
 * one has none, so the two never meet (and the indexer ignores its own pointer's stream records).
 */
export const INDEX_POINTER_KEY = { pk: '#search-index', sk: '#current' } as const;

/**
 * The search index's snapshots: each version an object of its own in the index bucket, never
 * overwritten, and a pointer item in the catalog table naming the current one. The pointer moves
 * with a conditional write on its version (a compare-and-set), which works on any S3 (no
 * conditional PUT needed); the replaced snapshot is deleted once the pointer no longer names it.
 */
export function createIndexSnapshots({
  s3Client = s3,
  dynamodb = documentClient,
  bucket,
  tableName,
}: {
  s3Client?: S3Client;
  dynamodb?: DynamoDBDocumentClient;
  bucket: string;
  tableName: string;
}): IndexSnapshots {
  const pointer = async () => {
    const { Item } = await dynamodb.send(
      new GetCommand({ TableName: tableName, Key: INDEX_POINTER_KEY, ConsistentRead: true }),
    );
    return { version: Number(Item?.version ?? 0), key: Item?.snapshotKey as string | undefined };
  };

  return {
    async latest(knownVersion) {
      const { version, key } = await pointer();
      if (key === undefined || version === knownVersion) return { version };
      try {
        const { Body } = await s3Client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return { version, content: await Body?.transformToString() };
      } catch (error) {
        // Replaced (and deleted) between the two reads: the next pointer is the one to read.
        if (error instanceof Error && error.name === 'NoSuchKey') return this.latest(knownVersion);
        throw error;
      }
    },

    async replace(version, content) {
      const previous = await pointer();
      if (previous.version !== version) return false;
      const key = `search-index/v${version + 1}-${randomUUID()}.json`;
      await s3Client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: content, ContentType: 'application/json' }),
      );
      const moved = await writtenUnlessConditionFails(() =>
        dynamodb.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...INDEX_POINTER_KEY, version: version + 1, snapshotKey: key },
            ConditionExpression: version === 0 ? 'attribute_not_exists(pk)' : 'version = :version',
            ...(version === 0 ? {} : { ExpressionAttributeValues: { ':version': version } }),
          }),
        ),
      );
      const orphan = moved ? previous.key : key;
      if (orphan !== undefined) await s3Client.send(new DeleteObjectCommand({ Bucket: bucket, Key: orphan }));
      return moved;
    },
  };
}
