import { expect } from 'chai';
import { CREATED_BY_TAG, RUN_TAG, type StoredTask } from '../../../../src/core/tasks/task-definition';
import {
  createTaskExecutor,
  type SnapshotInventory,
  type TargetResult,
  tagValue,
} from '../../../../src/core/tasks/task-executor';
import { FakeEc2 } from './fake-ec2';

const NOW = new Date('2026-03-01T00:00:00Z');
const ROLE_A = 'arn:aws:iam::111111111111:role/ops-automator-task';
const ROLE_B = 'arn:aws:iam::222222222222:role/ops-automator-task';

function task(overrides: Partial<StoredTask> = {}): StoredTask {
  return {
    name: 'daily',
    action: 'CreateSnapshot',
    tagKey: 'OpsAutomatorTaskList',
    schedule: '0 3 * * *',
    accounts: [ROLE_A],
    regions: ['eu-west-1'],
    dryRun: false,
    enabled: true,
    createdAt: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

function setUp(tasks: StoredTask[], inventories: Record<string, SnapshotInventory | Error>) {
  const recorded: TargetResult[] = [];
  const alerts: { subject: string; message: string }[] = [];
  const sleeps: number[] = [];
  const executor = createTaskExecutor({
    tasks: { get: async (name) => tasks.find((candidate) => candidate.name === name) },
    inventoryFor: ({ roleArn, region }) => {
      const inventory = inventories[`${roleArn} ${region}`];
      if (inventory instanceof Error) {
        // The role cannot be assumed: every call fails as the SDK's credential provider makes it fail.
        const fail = async () => {
          throw inventory;
        };
        return {
          volumes: fail,
          instances: fail,
          snapshotsCreatedBy: fail,
          createSnapshot: fail,
          deleteSnapshot: fail,
        };
      }
      if (inventory === undefined) throw new Error(`no inventory for ${roleArn} ${region}`);
      return inventory;
    },
    runLog: { recordTarget: async (result) => void recorded.push(result) },
    notifier: { publish: async (alert) => void alerts.push(alert) },
    clock: () => NOW,
    backoff: { sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 },
  });
  const run = (taskName: string, roleArn = ROLE_A, region = 'eu-west-1', runId = `${taskName}@run-1`) =>
    executor.execute({ taskName, runId, roleArn, region });
  return { run, recorded, alerts, sleeps };
}

describe('task executor', () => {
  it('snapshots tagged volumes and the volumes of tagged instances, copying tags and tagging each with the task', async () => {
    const ec2 = new FakeEc2()
      .volume('vol-tagged', {
        OpsAutomatorTaskList: 'weekly, daily',
        Name: 'db',
        'aws:cloudformation:stack-name': 's',
      })
      .volume('vol-of-instance', { Name: 'root' }, ['i-tagged'])
      .volume('vol-untagged', { Name: 'scratch' })
      .instance('i-tagged', { OpsAutomatorTaskList: 'daily' });
    const { run } = setUp([task()], { [`${ROLE_A} eu-west-1`]: ec2 });

    const result = await run('daily');

    expect(result).to.include({ status: 'SUCCEEDED', created: 2, accountId: '111111111111' });
    const snapshots = [...ec2.snapshots.values()];
    expect(snapshots.map((snapshot) => snapshot.volumeId).sort()).to.deep.equal([
      'vol-of-instance',
      'vol-tagged',
    ]);
    const ofTagged = snapshots.find((snapshot) => snapshot.volumeId === 'vol-tagged');
    expect(tagValue(ofTagged?.tags ?? [], 'Name')).to.equal('db');
    expect(tagValue(ofTagged?.tags ?? [], CREATED_BY_TAG)).to.equal('daily');
    expect(tagValue(ofTagged?.tags ?? [], RUN_TAG)).to.equal('daily@run-1');
    expect(tagValue(ofTagged?.tags ?? [], 'aws:cloudformation:stack-name')).to.equal(undefined);
    expect(
      result.resources.map((resource) => [resource.resourceId, resource.outcome]),
    ).to.deep.include.members([
      ['vol-tagged', 'created'],
      ['vol-of-instance', 'created'],
    ]);
  });

  it('says why a tagged-looking resource was not selected (explain-why-not)', async () => {
    const ec2 = new FakeEc2()
      .volume('vol-case', { OpsAutomatorTaskList: 'Daily' })
      .volume('vol-key', { opsautomatortasklist: 'daily' })
      .volume('vol-joined', { OpsAutomatorTaskList: 'daily;weekly' })
      .volume('vol-other', { OpsAutomatorTaskList: 'weekly' });
    const { run } = setUp([task()], { [`${ROLE_A} eu-west-1`]: ec2 });

    const result = await run('daily');

    expect(result.created).to.equal(0);
    const reasons = Object.fromEntries(
      result.resources.map((resource) => [resource.resourceId, resource.reason]),
    );
    expect(reasons['vol-case']).to.match(/another case/);
    expect(reasons['vol-key']).to.match(/keys are case-sensitive/);
    expect(reasons['vol-joined']).to.match(/separated by commas/);
    expect(reasons).not.to.have.property('vol-other');
    expect(result.resources.every((resource) => resource.outcome === 'skipped')).to.equal(true);
  });

  it('creates nothing twice when the same run is delivered again', async () => {
    const ec2 = new FakeEc2().volume('vol-1', { OpsAutomatorTaskList: 'daily' });
    const { run } = setUp([task()], { [`${ROLE_A} eu-west-1`]: ec2 });

    await run('daily');
    const again = await run('daily');

    expect(ec2.snapshots.size).to.equal(1);
    expect(again.resources[0]).to.include({
      outcome: 'skipped',
      reason: 'already snapshotted by this run (a redelivered message)',
    });
  });

  it('applies the task’s retention to its own snapshots after creating new ones', async () => {
    const ec2 = new FakeEc2().volume('vol-1', { OpsAutomatorTaskList: 'daily' });
    const old = [1, 2, 3].map((day) =>
      ec2.snapshot('vol-1', new Date(`2026-02-0${day}T03:00:00Z`), { [CREATED_BY_TAG]: 'daily' }),
    );
    const untagged = ec2.snapshot('vol-1', new Date('2025-01-01T00:00:00Z'));
    const others = ec2.snapshot('vol-1', new Date('2025-01-01T00:00:00Z'), { [CREATED_BY_TAG]: 'weekly' });
    const { run } = setUp([task({ retention: { count: 2 } })], { [`${ROLE_A} eu-west-1`]: ec2 });

    const result = await run('daily');

    expect(result).to.include({ created: 1, deleted: 2 });
    expect(ec2.snapshots.has(old[2] as string)).to.equal(true);
    expect(ec2.snapshots.has(old[0] as string) || ec2.snapshots.has(old[1] as string)).to.equal(false);
    expect(ec2.snapshots.has(untagged) && ec2.snapshots.has(others)).to.equal(true);
  });

  it('deletes, in a DeleteSnapshots task, the named task’s snapshots older than the days kept', async () => {
    const ec2 = new FakeEc2();
    const recent = ec2.snapshot('vol-1', new Date('2026-02-25T00:00:00Z'), { [CREATED_BY_TAG]: 'daily' });
    const old = ec2.snapshot('vol-1', new Date('2026-01-01T00:00:00Z'), { [CREATED_BY_TAG]: 'daily' });
    const cleanup = task({
      name: 'cleanup',
      action: 'DeleteSnapshots',
      snapshotsOf: 'daily',
      retention: { days: 30 },
    });
    const { run } = setUp([cleanup], { [`${ROLE_A} eu-west-1`]: ec2 });

    const result = await run('cleanup');

    expect(result.deleted).to.equal(1);
    expect([...ec2.snapshots.keys()]).to.deep.equal([recent]);
    expect(result.resources[0]).to.include({ resourceId: old, outcome: 'deleted' });
  });

  it('in a dry run, records what would happen and changes nothing', async () => {
    const ec2 = new FakeEc2().volume('vol-1', { OpsAutomatorTaskList: 'daily' });
    for (const day of [1, 2, 3])
      ec2.snapshot('vol-1', new Date(`2026-02-0${day}T03:00:00Z`), { [CREATED_BY_TAG]: 'daily' });
    const { run } = setUp([task({ dryRun: true, retention: { count: 1 } })], {
      [`${ROLE_A} eu-west-1`]: ec2,
    });

    const result = await run('daily');

    expect(ec2.snapshots.size).to.equal(3);
    expect(result).to.include({ created: 0, deleted: 0, dryRun: true, status: 'SUCCEEDED' });
    expect(result.resources.map((resource) => resource.outcome).sort()).to.deep.equal([
      'would-create',
      'would-delete',
      'would-delete',
    ]);
  });

  it('backs off on RequestLimitExceeded and ends in success', async () => {
    const ec2 = new FakeEc2().volume('vol-1', { OpsAutomatorTaskList: 'daily' });
    ec2.throttleNext = 4;
    const { run, sleeps } = setUp([task()], { [`${ROLE_A} eu-west-1`]: ec2 });

    const result = await run('daily');

    expect(result).to.include({ status: 'SUCCEEDED', created: 1 });
    expect(result.throttled).to.equal(4);
    expect(sleeps.length).to.equal(4);
  });

  it('fails one account loudly when its role cannot be assumed, while another account runs', async () => {
    const denied = new Error('User is not authorized to perform: sts:AssumeRole');
    denied.name = 'AccessDenied';
    const ec2B = new FakeEc2().volume('vol-b', { OpsAutomatorTaskList: 'daily' });
    const { run, alerts, recorded } = setUp([task({ accounts: [ROLE_A, ROLE_B] })], {
      [`${ROLE_A} eu-west-1`]: denied,
      [`${ROLE_B} eu-west-1`]: ec2B,
    });

    const failed = await run('daily', ROLE_A);
    const succeeded = await run('daily', ROLE_B);

    expect(failed).to.include({ status: 'FAILED', failures: 1 });
    expect(failed.error).to.match(/^AccessDenied/);
    expect(succeeded).to.include({ status: 'SUCCEEDED', created: 1 });
    expect(alerts).to.have.length(1);
    expect(alerts[0]?.subject).to.include('111111111111');
    expect(recorded.map((result) => result.status)).to.deep.equal(['FAILED', 'SUCCEEDED']);
  });

  it('records a resource EC2 refused as failed, the others as done, and alerts', async () => {
    const ec2 = new FakeEc2()
      .volume('vol-1', { OpsAutomatorTaskList: 'daily' })
      .volume('vol-2', { OpsAutomatorTaskList: 'daily' });
    const original = ec2.createSnapshot.bind(ec2);
    ec2.createSnapshot = async (volumeId, description, tags) => {
      if (volumeId === 'vol-2')
        throw Object.assign(new Error('The volume is in use'), { name: 'IncorrectState' });
      return original(volumeId, description, tags);
    };
    const { run, alerts } = setUp([task()], { [`${ROLE_A} eu-west-1`]: ec2 });

    const result = await run('daily');

    expect(result).to.include({ status: 'PARTIAL', created: 1, failures: 1 });
    expect(result.resources.find((resource) => resource.resourceId === 'vol-2')?.error).to.match(
      /^IncorrectState/,
    );
    expect(alerts).to.have.length(1);
  });
});
