import { ConflictError, NotFoundError, ValidationError } from '@serverless-patterns/shared/errors';
import * as z from 'zod';
import { type StoredTask, type TaskDefinition, taskDefinitionSchema } from './tasks/task-definition';
import type { RunStart } from './tasks/task-scheduler';

/** A page of a listing: the items, and the token of the next page when there is one. */
export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export interface PageRequest {
  limit: number;
  nextToken?: string;
}

export const pageQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(25),
    nextToken: z.string().min(1).max(2048).optional(),
  })
  .strict();

/** The body of PUT /ops/tasks/{name}: a task's definition, its name from the path. */
export const taskBodySchema = z.record(z.string(), z.unknown());

export interface OpsAdminOptions {
  tasks: {
    get(name: string): Promise<StoredTask | undefined>;
    listAll(): Promise<StoredTask[]>;
    put(definition: TaskDefinition, now: Date): Promise<StoredTask>;
    delete(name: string): Promise<boolean>;
  };
  scheduler: { runNow(task: StoredTask): Promise<RunStart> };
  records: {
    /** Runs, newest first, a page at a time (`after` is the last key of the previous page). */
    listRuns(
      limit: number,
      after?: Record<string, unknown>,
    ): Promise<{ items: Record<string, unknown>[]; last?: Record<string, unknown> }>;
    /** A run's own item, its targets and every resource. */
    getRun(runId: string): Promise<Record<string, unknown>[]>;
    listFindings(
      limit: number,
      after?: Record<string, unknown>,
    ): Promise<{ items: Record<string, unknown>[]; last?: Record<string, unknown> }>;
  };
  clock: () => Date;
}

/**
 * What the admin routes under /ops do: tasks (list, read, create or replace, delete, run now), runs with
 * their per-resource outcomes, and security findings, the listings paged newest first.
 */
export function createOpsAdmin(options: OpsAdminOptions) {
  const { tasks, scheduler, records, clock } = options;
  const found = async (name: string) => {
    const task = await tasks.get(name);
    if (task === undefined) throw new NotFoundError(`No task named ${name}`);
    return task;
  };

  return {
    async listTasks() {
      return { tasks: (await tasks.listAll()).sort((a, b) => a.name.localeCompare(b.name)) };
    },
    async getTask(name: string) {
      return { task: await found(name) };
    },
    async putTask(name: string, body: Record<string, unknown>) {
      if (body.name !== undefined && body.name !== name) {
        throw new ValidationError('Invalid body at name', {
          details: [{ path: 'name', message: 'must be the name in the path, or left out' }],
        });
      }
      const parsed = taskDefinitionSchema.safeParse({ ...body, name });
      if (!parsed.success) {
        const details = parsed.error.issues.map((issue) => ({
          path: issue.path.map(String).join('.') || '(root)',
          message: issue.message,
        }));
        throw new ValidationError(`Invalid task at ${details.map((d) => d.path).join(', ')}`, { details });
      }
      return { task: await tasks.put(parsed.data, clock()) };
    },
    async deleteTask(name: string) {
      if (!(await tasks.delete(name))) throw new NotFoundError(`No task named ${name}`);
    },
    async runTask(name: string) {
      const task = await found(name);
      if (task.accounts.length === 0) throw new ConflictError(`Task ${name} names no account`);
      return { run: await scheduler.runNow(task) };
    },
    async listRuns(page: PageRequest) {
      const { items, last } = await records.listRuns(page.limit, decodeToken(page.nextToken));
      return { runs: items, ...(last === undefined ? {} : { nextToken: encodeToken(last) }) };
    },
    async getRun(runId: string) {
      const items = await records.getRun(runId);
      const run = items.find((item) => item.entity === 'run');
      if (run === undefined) throw new NotFoundError(`No run ${runId}`);
      return {
        run,
        targets: items.filter((item) => item.entity === 'run-target'),
        resources: items.filter((item) => item.entity === 'run-resource'),
      };
    },
    async listFindings(page: PageRequest) {
      const { items, last } = await records.listFindings(page.limit, decodeToken(page.nextToken));
      return { findings: items, ...(last === undefined ? {} : { nextToken: encodeToken(last) }) };
    },
  };
}

export type OpsAdmin = ReturnType<typeof createOpsAdmin>;

const keySchema = z.record(z.string(), z.string());

function encodeToken(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

function decodeToken(token: string | undefined): Record<string, string> | undefined {
  if (token === undefined) return undefined;
  try {
    return keySchema.parse(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')));
  } catch {
    throw new ValidationError('Invalid query parameters at nextToken', {
      details: [{ path: 'nextToken', message: 'not a token this API returned' }],
    });
  }
}
