import { BatchWriteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import { writtenUnlessConditionFails } from '@serverless-patterns/shared/dynamodb';
import type { TargetResult } from '../core/tasks/task-executor';
import type { RunStart } from '../core/tasks/task-scheduler';

const BATCH = 25;
const MAX_UNPROCESSED_ROUNDS = 8;

/**
 * Runs in the ops table: the run (`run#<id>`, `run`), one item per account x region (`target#...`) and
 * one per resource (`resource#...`), all in the run's partition, so a run reads back with one Query.
 * Runs are also under the index partition `runs`, newest last. Keys are derived from the run, the target
 * and the resource, so a redelivered message overwrites what it wrote rather than adding to it.
 */
export function createRunLog({
  client = documentClient,
  tableName,
  onCompleted,
}: {
  client?: DynamoDBDocumentClient;
  tableName: string;
  /** Told when a target finished its work (the task's lastCompletedAt). */
  onCompleted?: (taskName: string, at: string) => Promise<void>;
}) {
  return {
    async startRun(run: RunStart): Promise<void> {
      await writtenUnlessConditionFails(() =>
        client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              pk: `run#${run.runId}`,
              sk: 'run',
              gsi1pk: 'runs',
              gsi1sk: `${run.startedAt}#${run.runId}`,
              entity: 'run',
              ...run,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    },
    async recordTarget(result: TargetResult): Promise<void> {
      const { target } = result;
      const where = `${result.accountId}#${target.region}`;
      const resourceItems = result.resources.map((resource) => ({
        pk: `run#${target.runId}`,
        sk: `resource#${where}#${resource.resourceId}#${resource.action}`,
        entity: 'run-resource',
        runId: target.runId,
        accountId: result.accountId,
        region: target.region,
        ...resource,
      }));
      for (let start = 0; start < resourceItems.length; start += BATCH) {
        await writeBatch(client, tableName, resourceItems.slice(start, start + BATCH));
      }
      const { resources, ...summary } = result;
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: `run#${target.runId}`,
            sk: `target#${where}`,
            entity: 'run-target',
            ...summary,
            resourceCount: resources.length,
          },
        }),
      );
      if (result.status === 'SUCCEEDED' || result.status === 'PARTIAL') {
        await onCompleted?.(target.taskName, result.finishedAt);
      }
    },
  };
}

export type RunLog = ReturnType<typeof createRunLog>;

async function writeBatch(
  client: DynamoDBDocumentClient,
  tableName: string,
  items: Record<string, unknown>[],
) {
  let requests = items.map((Item) => ({ PutRequest: { Item } }));
  for (let round = 0; requests.length > 0; round++) {
    if (round >= MAX_UNPROCESSED_ROUNDS) throw new Error(`${requests.length} run items were never written`);
    const { UnprocessedItems } = await client.send(
      new BatchWriteCommand({ RequestItems: { [tableName]: requests } }),
    );
    requests = (UnprocessedItems?.[tableName] ?? []) as typeof requests;
    if (requests.length > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** round));
  }
}
