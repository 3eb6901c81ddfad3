import { expect } from 'chai';
import { createOpsAdmin } from '../../../src/core/ops-admin';
import type { StoredTask, TaskDefinition } from '../../../src/core/tasks/task-definition';
import type { RunStart } from '../../../src/core/tasks/task-scheduler';

const ROLE = 'arn:aws:iam::111111111111:role/ops-automator-task';
const NOW = new Date('2026-03-01T10:00:00Z');

function setUp() {
  const stored = new Map<string, StoredTask>();
  const started: string[] = [];
  const admin = createOpsAdmin({
    tasks: {
      get: async (name) => stored.get(name),
      listAll: async () => [...stored.values()],
      put: async (definition: TaskDefinition, now) => {
        const task = {
          ...definition,
          createdAt: stored.get(definition.name)?.createdAt ?? now.toISOString(),
        };
        stored.set(task.name, task);
        return task;
      },
      delete: async (name) => stored.delete(name),
    },
    scheduler: {
      runNow: async (task): Promise<RunStart> => {
        started.push(task.name);
        return {
          runId: `${task.name}@manual`,
          taskName: task.name,
          trigger: 'manual',
          scheduledFor: NOW.toISOString(),
          dryRun: task.dryRun,
          targets: task.accounts.length * task.regions.length,
          startedAt: NOW.toISOString(),
        };
      },
    },
    records: {
      listRuns: async (limit, after) => ({
        items: [{ runId: `r-${after?.at ?? 0}` }].slice(0, limit),
        ...(after === undefined ? { last: { gsi1pk: 'runs', at: '1' } } : {}),
      }),
      getRun: async (runId) =>
        runId === 'r-1'
          ? [
              { entity: 'run', runId },
              { entity: 'run-target', status: 'SUCCEEDED' },
              { entity: 'run-resource', outcome: 'created' },
            ]
          : [],
      listFindings: async () => ({ items: [] }),
    },
    clock: () => NOW,
  });
  return { admin, stored, started };
}

const body = {
  action: 'CreateSnapshot',
  schedule: '0 3 * * *',
  accounts: [ROLE],
  regions: ['eu-west-1'],
  retention: { count: 7 },
};

describe('ops admin', () => {
  it('creates a task from its definition, with the defaults, and lists it', async () => {
    const { admin } = setUp();

    const { task } = await admin.putTask('daily', body);

    expect(task).to.include({ name: 'daily', tagKey: 'OpsAutomatorTaskList', dryRun: false, enabled: true });
    expect((await admin.listTasks()).tasks.map((listed) => listed.name)).to.deep.equal(['daily']);
  });

  it('refuses a definition that is not a task, naming the fields', async () => {
    const { admin } = setUp();

    const refused = await admin
      .putTask('daily', { ...body, schedule: 'often', name: 'other' })
      .catch((error: Error) => error);

    expect(refused).to.have.property('name', 'ValidationError');
    const second = await admin
      .putTask('daily', { ...body, schedule: 'often' })
      .catch((error: Error & { details?: { path: string }[] }) => error);
    expect((second as { details?: { path: string }[] }).details?.map((detail) => detail.path)).to.deep.equal([
      'schedule',
    ]);
  });

  it('runs a task now, and answers 404 for a task that does not exist', async () => {
    const { admin, started } = setUp();
    await admin.putTask('daily', body);

    expect((await admin.runTask('daily')).run).to.include({ trigger: 'manual', targets: 1 });
    expect(started).to.deep.equal(['daily']);
    expect(await admin.runTask('missing').catch((error: Error) => error.name)).to.equal('NotFoundError');
    expect(await admin.deleteTask('missing').catch((error: Error) => error.name)).to.equal('NotFoundError');
  });

  it('pages runs with a token it gave, refuses one it did not, and reads a run with its outcomes', async () => {
    const { admin } = setUp();

    const first = await admin.listRuns({ limit: 10 });
    const second = await admin.listRuns({ limit: 10, nextToken: first.nextToken as string });

    expect(second.runs).to.deep.equal([{ runId: 'r-1' }]);
    expect(second.nextToken).to.equal(undefined);
    expect(
      await admin.listRuns({ limit: 10, nextToken: 'not-a-token' }).catch((error: Error) => error.name),
    ).to.equal('ValidationError');
    const run = await admin.getRun('r-1');
    expect([run.targets.length, run.resources.length]).to.deep.equal([1, 1]);
    expect(await admin.getRun('r-2').catch((error: Error) => error.name)).to.equal('NotFoundError');
  });
});
