import { createAuditLog } from './adapters/audit-log';
import { createEc2Clients } from './adapters/ec2-clients';
import { createNotifier } from './adapters/notifier';
import { createOpsRecords } from './adapters/ops-records';
import { createRunLog } from './adapters/run-log';
import { createSecurityGroups } from './adapters/security-groups';
import { createSnapshotInventory } from './adapters/snapshot-inventory';
import { createTaskQueue } from './adapters/task-queue';
import { createTasksTable } from './adapters/tasks-table';
import { config } from './config';
import { createOpsAdmin } from './core/ops-admin';
import { createSecurityPolicyEnforcer } from './core/security-policy-enforcer';
import { createTaskExecutor } from './core/tasks/task-executor';
import { createTaskScheduler } from './core/tasks/task-scheduler';

// The service's parts, built from its config. Each handler calls what it uses once, at module scope,
// so that clients and adapters are made at cold start and reused by every invocation.

export function securityPolicyEnforcer() {
  const clients = createEc2Clients({ homeRegion: config.region, sessionName: 'ops-security-guard' });
  const members = new Set(config.memberAccounts);
  const memberRoleName = members.size === 0 ? '' : config.memberRoleName;
  return createSecurityPolicyEnforcer({
    // A member account's rule is revoked with the role the guard assumes there; this account's directly.
    securityGroupsIn: ({ accountId, region }) =>
      createSecurityGroups({
        client: clients.ec2For({
          region,
          ...(accountId !== undefined && members.has(accountId)
            ? { roleArn: `arn:aws:iam::${accountId}:role/${memberRoleName}` }
            : {}),
        }),
      }),
    auditLog: createAuditLog({ tableName: config.opsTableName }),
    notifier: createNotifier({ topicArn: config.notificationsTopicArn }),
    mode: config.enforcementMode,
    policy: { forbiddenPorts: config.forbiddenPorts, worldOpenShare: config.worldOpenShare },
  });
}

const clock = () => new Date();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function taskScheduler() {
  const tasks = createTasksTable({ tableName: config.opsTableName });
  return createTaskScheduler({
    tasks,
    queue: createTaskQueue({ queueUrl: config.taskQueueUrl }),
    runLog: createRunLog({ tableName: config.opsTableName }),
    clock,
  });
}

export function taskExecutor() {
  const tasks = createTasksTable({ tableName: config.opsTableName });
  const clients = createEc2Clients({ homeRegion: config.region, sessionName: 'ops-task-executor' });
  return createTaskExecutor({
    tasks,
    // Every account, this one included, is reached through the role the task names.
    inventoryFor: (target) => createSnapshotInventory({ client: clients.ec2For(target) }),
    runLog: createRunLog({
      tableName: config.opsTableName,
      onCompleted: (name, at) => tasks.markCompleted(name, at),
    }),
    notifier: createNotifier({ topicArn: config.notificationsTopicArn }),
    clock,
    backoff: { sleep },
  });
}

/** The admin routes under /ops; "Run now" dispatches through the scheduler's own fan-out. */
export function opsAdmin() {
  const tasks = createTasksTable({ tableName: config.opsTableName });
  // Made on first use: only the run-now route has the queue's address.
  let scheduler: ReturnType<typeof taskScheduler> | undefined;
  return createOpsAdmin({
    tasks,
    scheduler: {
      runNow: (task) => {
        scheduler ??= taskScheduler();
        return scheduler.runNow(task);
      },
    },
    records: createOpsRecords({ tableName: config.opsTableName }),
    clock,
  });
}
