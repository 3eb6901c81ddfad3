import { type BackoffOptions, withBackoff } from './backoff';
import { expiredSnapshots } from './retention';
import {
  CREATED_BY_TAG,
  listsTask,
  RUN_TAG,
  type StoredTask,
  type TaskDefinition,
  whyNotSelected,
} from './task-definition';

export interface Tag {
  Key?: string;
  Value?: string;
}

export interface Volume {
  volumeId: string;
  tags: Tag[];
  /** The instances it is attached to. */
  instanceIds: string[];
}

export interface Instance {
  instanceId: string;
  tags: Tag[];
}

export interface TaskSnapshot {
  snapshotId: string;
  volumeId: string;
  startTime: Date;
  tags: Tag[];
}

/** EC2 in one account and region, as the task's role sees it. */
export interface SnapshotInventory {
  volumes(): Promise<Volume[]>;
  instances(): Promise<Instance[]>;
  /** Every snapshot this account owns that carries CREATED_BY_TAG = taskName, every page of them. */
  snapshotsCreatedBy(taskName: string): Promise<TaskSnapshot[]>;
  createSnapshot(volumeId: string, description: string, tags: Tag[]): Promise<TaskSnapshot>;
  /** `already-absent` when the snapshot is gone already. */
  deleteSnapshot(snapshotId: string): Promise<'deleted' | 'already-absent'>;
}

/** One executor invocation's work: one task in one account (role) and region. */
export interface TaskTarget {
  taskName: string;
  runId: string;
  roleArn: string;
  region: string;
}

export type ResourceOutcome = 'created' | 'deleted' | 'skipped' | 'failed' | 'would-create' | 'would-delete';

/** What happened to one resource in a run, and why. */
export interface ResourceResult {
  resourceId: string;
  resourceType: 'volume' | 'instance' | 'snapshot';
  action: 'CreateSnapshot' | 'DeleteSnapshot';
  outcome: ResourceOutcome;
  /** Why it was skipped (explain-why-not), or what a dry run would do. */
  reason?: string;
  snapshotId?: string;
  error?: string;
}

export interface TargetResult {
  target: TaskTarget;
  accountId: string;
  status: 'SUCCEEDED' | 'PARTIAL' | 'FAILED' | 'SKIPPED';
  dryRun: boolean;
  resources: ResourceResult[];
  /** Why the whole target failed (the role could not be assumed, EC2 refused to list). */
  error?: string;
  created: number;
  deleted: number;
  failures: number;
  throttled: number;
  startedAt: string;
  finishedAt: string;
}

export interface TaskExecutorOptions {
  tasks: { get(name: string): Promise<StoredTask | undefined> };
  inventoryFor(target: { roleArn: string; region: string }): SnapshotInventory;
  runLog: { recordTarget(result: TargetResult): Promise<void> };
  notifier: { publish(alert: { kind: 'task-failure'; subject: string; message: string }): Promise<void> };
  clock: () => Date;
  backoff: Pick<BackoffOptions, 'sleep' | 'maxAttempts' | 'baseMs' | 'random'>;
}

export function accountOfRole(roleArn: string): string {
  return roleArn.split(':')[4] ?? '';
}

/**
 * Runs one task in one account and region: snapshots the volumes the task's tag selects (on the volume or
 * on its instance), copying their tags and tagging each snapshot with the task and the run; deletes only
 * the task's own snapshots past retention, per volume, over every page of them; backs off when EC2
 * throttles. Every resource is recorded with its outcome, and a tagged-looking resource that was not
 * selected says why. A dry run records what would happen and changes nothing. A failure of the whole
 * target (the role cannot be assumed) is recorded and announced; the other targets are other messages.
 */
export function createTaskExecutor(options: TaskExecutorOptions) {
  const { tasks, runLog, notifier, clock } = options;

  return {
    async execute(target: TaskTarget): Promise<TargetResult> {
      const startedAt = clock().toISOString();
      const accountId = accountOfRole(target.roleArn);
      const resources: ResourceResult[] = [];
      let throttled = 0;
      const backoff = { ...options.backoff, onThrottled: () => (throttled += 1) };
      const task = await tasks.get(target.taskName);
      let error: string | undefined;
      if (task === undefined) {
        error = `task ${target.taskName} no longer exists`;
      } else {
        try {
          const inventory = options.inventoryFor({ roleArn: target.roleArn, region: target.region });
          const call = <T>(fn: () => Promise<T>) => withBackoff(fn, backoff);
          if (task.action === 'CreateSnapshot') {
            await createSnapshots(task, target, inventory, call, resources, clock);
          } else {
            await deleteExpired(task, task.snapshotsOf ?? task.name, inventory, call, resources, clock, []);
          }
        } catch (caught) {
          error = describeError(caught);
        }
      }
      const count = (outcome: ResourceOutcome) => resources.filter((r) => r.outcome === outcome).length;
      const failures = count('failed') + (error === undefined || task === undefined ? 0 : 1);
      const result: TargetResult = {
        target,
        accountId,
        status:
          task === undefined
            ? 'SKIPPED'
            : error !== undefined
              ? 'FAILED'
              : failures > 0
                ? 'PARTIAL'
                : 'SUCCEEDED',
        dryRun: task?.dryRun ?? false,
        resources,
        ...(error === undefined ? {} : { error }),
        created: count('created'),
        deleted: count('deleted'),
        failures,
        throttled,
        startedAt,
        finishedAt: clock().toISOString(),
      };
      await runLog.recordTarget(result);
      if (result.status === 'FAILED' || result.status === 'PARTIAL')
        await notifier.publish(describeFailure(result));
      return result;
    },
  };
}

export type TaskExecutor = ReturnType<typeof createTaskExecutor>;

type Call = <T>(fn: () => Promise<T>) => Promise<T>;

async function createSnapshots(
  task: TaskDefinition,
  target: TaskTarget,
  inventory: SnapshotInventory,
  call: Call,
  resources: ResourceResult[],
  clock: () => Date,
) {
  const [volumes, instances, existing] = await Promise.all([
    call(() => inventory.volumes()),
    call(() => inventory.instances()),
    call(() => inventory.snapshotsCreatedBy(task.name)),
  ]);
  const instanceById = new Map(instances.map((instance) => [instance.instanceId, instance]));
  const taggedInstances = new Set(
    instances
      .filter((instance) => listsTask(tagValue(instance.tags, task.tagKey), task.name))
      .map((i) => i.instanceId),
  );
  const attached = new Set(volumes.flatMap((volume) => volume.instanceIds));
  for (const instanceId of taggedInstances) {
    if (!attached.has(instanceId)) {
      resources.push({
        resourceId: instanceId,
        resourceType: 'instance',
        action: 'CreateSnapshot',
        outcome: 'skipped',
        reason: 'the instance is tagged for the task but has no EBS volume attached',
      });
    }
  }
  const created: typeof existing = [];
  for (const volume of volumes) {
    const viaInstance = volume.instanceIds.find((id) => taggedInstances.has(id));
    const selected = listsTask(tagValue(volume.tags, task.tagKey), task.name) || viaInstance !== undefined;
    if (!selected) {
      const why =
        whyNotSelected(volume.tags, task) ??
        volume.instanceIds
          .map((id) => whyNotSelected(instanceById.get(id)?.tags ?? [], task))
          .find((reason) => reason !== undefined);
      if (why !== undefined) {
        resources.push({
          resourceId: volume.volumeId,
          resourceType: 'volume',
          action: 'CreateSnapshot',
          outcome: 'skipped',
          reason: `not selected: ${why}`,
        });
      }
      continue;
    }
    const done = existing.find(
      (snapshot) =>
        snapshot.volumeId === volume.volumeId && tagValue(snapshot.tags, RUN_TAG) === target.runId,
    );
    if (done !== undefined) {
      resources.push({
        resourceId: volume.volumeId,
        resourceType: 'volume',
        action: 'CreateSnapshot',
        outcome: 'skipped',
        reason: 'already snapshotted by this run (a redelivered message)',
        snapshotId: done.snapshotId,
      });
      continue;
    }
    const how = viaInstance === undefined ? 'its own tag' : `the tag of instance ${viaInstance}`;
    if (task.dryRun) {
      resources.push({
        resourceId: volume.volumeId,
        resourceType: 'volume',
        action: 'CreateSnapshot',
        outcome: 'would-create',
        reason: `dry run; selected by ${how}`,
      });
      continue;
    }
    const tags = [
      ...volume.tags.filter(
        (tag) => !(tag.Key ?? '').startsWith('aws:') && tag.Key !== CREATED_BY_TAG && tag.Key !== RUN_TAG,
      ),
      { Key: CREATED_BY_TAG, Value: task.name },
      { Key: RUN_TAG, Value: target.runId },
    ];
    try {
      const snapshot = await call(() =>
        inventory.createSnapshot(
          volume.volumeId,
          `${task.name} (${target.runId}) of ${volume.volumeId}`,
          tags,
        ),
      );
      created.push(snapshot);
      resources.push({
        resourceId: volume.volumeId,
        resourceType: 'volume',
        action: 'CreateSnapshot',
        outcome: 'created',
        reason: `selected by ${how}`,
        snapshotId: snapshot.snapshotId,
      });
    } catch (error) {
      resources.push({
        resourceId: volume.volumeId,
        resourceType: 'volume',
        action: 'CreateSnapshot',
        outcome: 'failed',
        error: describeError(error),
      });
    }
  }
  if (task.retention !== undefined) {
    await deleteExpired(
      task,
      task.name,
      inventory,
      call,
      resources,
      clock,
      [...existing, ...created],
      created,
    );
  }
}

async function deleteExpired(
  task: TaskDefinition,
  ownerTask: string,
  inventory: SnapshotInventory,
  call: Call,
  resources: ResourceResult[],
  clock: () => Date,
  known: TaskSnapshot[],
  createdNow: readonly TaskSnapshot[] = [],
) {
  if (task.retention === undefined) return;
  const snapshots = known.length > 0 ? known : await call(() => inventory.snapshotsCreatedBy(ownerTask));
  // Only snapshots that carry the owner task's tag ever reach this point: untagged snapshots and other
  // tasks' snapshots are never candidates.
  const mine = snapshots.filter((snapshot) => tagValue(snapshot.tags, CREATED_BY_TAG) === ownerTask);
  const newest = new Set(createdNow.map((snapshot) => snapshot.snapshotId));
  for (const snapshot of expiredSnapshots(mine, task.retention, clock(), newest)) {
    const base = {
      resourceId: snapshot.snapshotId,
      resourceType: 'snapshot' as const,
      action: 'DeleteSnapshot' as const,
      snapshotId: snapshot.snapshotId,
    };
    const reason = `past retention (${describeRetention(task.retention)}) for ${snapshot.volumeId}`;
    if (task.dryRun) {
      resources.push({ ...base, outcome: 'would-delete', reason: `dry run; ${reason}` });
      continue;
    }
    try {
      const outcome = await call(() => inventory.deleteSnapshot(snapshot.snapshotId));
      resources.push({
        ...base,
        outcome: outcome === 'deleted' ? 'deleted' : 'skipped',
        reason: outcome === 'deleted' ? reason : 'already deleted',
      });
    } catch (error) {
      resources.push({ ...base, outcome: 'failed', error: describeError(error) });
    }
  }
}

function describeRetention(retention: NonNullable<TaskDefinition['retention']>): string {
  return [
    retention.count === undefined ? undefined : `${retention.count} newest`,
    retention.days === undefined ? undefined : `${retention.days} days`,
  ]
    .filter(Boolean)
    .join(' and ');
}

export function tagValue(tags: readonly Tag[], key: string): string | undefined {
  return tags.find((tag) => tag.Key === key)?.Value;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function describeFailure(result: TargetResult) {
  const { target } = result;
  const where = `${result.accountId} ${target.region}`;
  const failed = result.resources.filter((resource) => resource.outcome === 'failed');
  const subject = `Ops task ${target.taskName} ${result.status === 'FAILED' ? 'failed' : 'partly failed'} in ${where}`;
  const message = [
    `Task ${target.taskName}, run ${target.runId}, in account ${result.accountId}, region ${target.region} (role ${target.roleArn}):`,
    result.error === undefined ? `${failed.length} resource(s) failed:` : `the run failed: ${result.error}`,
    ...failed.map((resource) => `- ${resource.action} ${resource.resourceId}: ${resource.error}`),
    '',
    `Created ${result.created}, deleted ${result.deleted}.`,
  ].join('\n');
  return { kind: 'task-failure' as const, subject: subject.slice(0, 99), message };
}
