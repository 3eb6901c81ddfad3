import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import { queryAll } from '@serverless-patterns/shared/dynamodb';

const BOOKKEEPING = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk']);
const withoutKeys = (item: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(item).filter(([key]) => !BOOKKEEPING.has(key)));

/** Runs and findings as the admin routes read them: index partitions `runs` and `findings`, newest first. */
export function createOpsRecords({
  client = documentClient,
  tableName,
}: {
  client?: DynamoDBDocumentClient;
  tableName: string;
}) {
  const newestFirst = async (partition: string, limit: number, after?: Record<string, unknown>) => {
    const { Items = [], LastEvaluatedKey } = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :partition',
        ExpressionAttributeValues: { ':partition': partition },
        ScanIndexForward: false,
        Limit: limit,
        ...(after === undefined ? {} : { ExclusiveStartKey: after }),
      }),
    );
    return {
      items: Items.map(withoutKeys),
      ...(LastEvaluatedKey === undefined ? {} : { last: LastEvaluatedKey }),
    };
  };
  return {
    listRuns: (limit: number, after?: Record<string, unknown>) => newestFirst('runs', limit, after),
    listFindings: (limit: number, after?: Record<string, unknown>) => newestFirst('findings', limit, after),
    async getRun(runId: string) {
      const items = await queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `run#${runId}` },
      });
      return items.map(withoutKeys);
    },
  };
}
