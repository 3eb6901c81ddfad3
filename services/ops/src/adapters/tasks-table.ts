import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import { queryAll, writtenUnlessConditionFails } from '@serverless-patterns/shared/dynamodb';
import type { StoredTask, TaskDefinition } from '../core/tasks/task-definition';

export const taskKey = (name: string) => ({ pk: `task#${name}`, sk: 'task' });
const BOOKKEEPING = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'entity'];

/** The tasks, in the ops table: one item each, all of them under one index partition (`tasks`). */
export function createTasksTable({
  client = documentClient,
  tableName,
}: {
  client?: DynamoDBDocumentClient;
  tableName: string;
}) {
  return {
    async get(name: string): Promise<StoredTask | undefined> {
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: taskKey(name) }));
      return Item === undefined ? undefined : toTask(Item);
    },
    async listAll(): Promise<StoredTask[]> {
      const items = await queryAll(client, {
        TableName: tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :tasks',
        ExpressionAttributeValues: { ':tasks': 'tasks' },
      });
      return items.map(toTask);
    },
    /** Creates or replaces a task's definition, keeping its creation time and the scheduler's bookkeeping. */
    async put(definition: TaskDefinition, now: Date): Promise<StoredTask> {
      const existing = await this.get(definition.name);
      const task: StoredTask = {
        ...definition,
        createdAt: existing?.createdAt ?? now.toISOString(),
        ...(existing?.lastScheduledFor === undefined ? {} : { lastScheduledFor: existing.lastScheduledFor }),
        ...(existing?.lastCompletedAt === undefined ? {} : { lastCompletedAt: existing.lastCompletedAt }),
      };
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...taskKey(task.name), gsi1pk: 'tasks', gsi1sk: task.name, entity: 'task', ...task },
        }),
      );
      return task;
    },
    /** false when there was no such task. */
    async delete(name: string): Promise<boolean> {
      const { Attributes } = await client.send(
        new DeleteCommand({ TableName: tableName, Key: taskKey(name), ReturnValues: 'ALL_OLD' }),
      );
      return Attributes !== undefined;
    },
    markScheduled(name: string, previous: string | undefined, occurrence: string): Promise<boolean> {
      return writtenUnlessConditionFails(() =>
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: taskKey(name),
            UpdateExpression: 'SET lastScheduledFor = :occurrence',
            ConditionExpression:
              previous === undefined
                ? 'attribute_exists(pk) AND attribute_not_exists(lastScheduledFor)'
                : 'lastScheduledFor = :previous',
            ExpressionAttributeValues: {
              ':occurrence': occurrence,
              ...(previous === undefined ? {} : { ':previous': previous }),
            },
          }),
        ),
      );
    },
    /** Moves lastCompletedAt forward only (targets finish in any order). */
    async markCompleted(name: string, at: string): Promise<void> {
      await writtenUnlessConditionFails(() =>
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: taskKey(name),
            UpdateExpression: 'SET lastCompletedAt = :at',
            ConditionExpression:
              'attribute_exists(pk) AND (attribute_not_exists(lastCompletedAt) OR lastCompletedAt < :at)',
            ExpressionAttributeValues: { ':at': at },
          }),
        ),
      );
    },
  };
}

export type TasksTable = ReturnType<typeof createTasksTable>;

function toTask(item: Record<string, unknown>): StoredTask {
  return Object.fromEntries(
    Object.entries(item).filter(([key]) => !BOOKKEEPING.includes(key)),
  ) as unknown as StoredTask;
}
