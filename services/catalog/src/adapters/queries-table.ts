import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import { writtenUnlessConditionFails } from '@serverless-patterns/shared/dynamodb';
import type { QueryRecord, QueryStore } from '../core/lake-queries';

/** As long as its results: the lake's lifecycle expires results/ after 7 days. */
const KEPT_DAYS = 7;

/** One item per query, keyed by its id; it expires with its results. */
export function createQueriesTable({
  client = documentClient,
  tableName,
}: {
  client?: DynamoDBDocumentClient;
  tableName: string;
}): QueryStore {
  return {
    async create(record) {
      const expiresAt = Math.floor(Date.parse(record.submittedAt) / 1000) + KEPT_DAYS * 86_400;
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...record, expiresAt },
          ConditionExpression: 'attribute_not_exists(queryId)',
        }),
      );
    },
    async get(queryId) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: { queryId }, ConsistentRead: true }),
      );
      if (Item === undefined) return undefined;
      const { expiresAt: _expiresAt, ...record } = Item;
      return record as QueryRecord;
    },
    start: (queryId, startedAt) =>
      writtenUnlessConditionFails(() =>
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { queryId },
            UpdateExpression: 'SET #status = :running, startedAt = :startedAt',
            ConditionExpression: '#status = :queued',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':running': 'RUNNING',
              ':queued': 'QUEUED',
              ':startedAt': startedAt,
            },
          }),
        ),
      ),
    async finish(queryId, outcome) {
      const fields = Object.entries(outcome).filter(([, value]) => value !== undefined);
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { queryId },
          UpdateExpression: `SET ${fields.map((_, index) => `#f${index} = :v${index}`).join(', ')}`,
          ConditionExpression: '#status = :running',
          ExpressionAttributeNames: {
            ...Object.fromEntries(fields.map(([name], index) => [`#f${index}`, name])),
            '#status': 'status',
          },
          ExpressionAttributeValues: {
            ...Object.fromEntries(fields.map(([, value], index) => [`:v${index}`, value])),
            ':running': 'RUNNING',
          },
        }),
      );
    },
  };
}
