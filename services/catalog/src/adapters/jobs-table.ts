import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import { writtenUnlessConditionFails } from '@serverless-patterns/shared/dynamodb';
import type { JobRecord, JobStore } from '../core/jobs/job-runner';

// Jobs live in the catalog table under their own partition, `JOB#<id>`: no slash, so the search
// indexer, which reads the table's stream, passes them by (index-catalog.ts).
const keyOf = (jobId: string) => ({ pk: `JOB#${jobId}`, sk: 'job' });

export function createJobsTable({
  client = documentClient,
  tableName,
}: {
  client?: DynamoDBDocumentClient;
  tableName: string;
}): JobStore {
  const get = async (jobId: string) => {
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName, Key: keyOf(jobId), ConsistentRead: true }),
    );
    if (Item === undefined) return undefined;
    const { pk: _pk, sk: _sk, ...record } = Item;
    return record as JobRecord;
  };
  return {
    async create(record) {
      const written = await writtenUnlessConditionFails(() =>
        client.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...keyOf(record.jobId), ...record },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      if (written) return record;
      const stored = await get(record.jobId);
      if (stored === undefined)
        throw new Error(`job ${record.jobId} was refused as existing, then not found`);
      return stored;
    },
    get,
    async update(jobId, fields) {
      const entries = Object.entries(fields).filter(([, value]) => value !== undefined);
      if (entries.length === 0) return;
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keyOf(jobId),
          UpdateExpression: `SET ${entries.map((_, index) => `#f${index} = :v${index}`).join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: Object.fromEntries(entries.map(([name], index) => [`#f${index}`, name])),
          ExpressionAttributeValues: Object.fromEntries(
            entries.map(([, value], index) => [`:v${index}`, value]),
          ),
        }),
      );
    },
  };
}
