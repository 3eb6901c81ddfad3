import { DescribeSnapshotsCommand, EC2Client, type Snapshot } from '@aws-sdk/client-ec2';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { clientConfig, eventually, localCloudSuite, serviceOf } from '@serverless-patterns/local/testing';
import { expect } from 'chai';
import {
  roleArnOf,
  SEED_ACCOUNTS,
  SEED_REGIONS,
  type SeededPlace,
  seedInventory,
} from '../../scripts/inventory';
import { createTasksTable } from '../../src/adapters/tasks-table';
import { CREATED_BY_TAG } from '../../src/core/tasks/task-definition';

// Ops tasks as an operator meets them, on the local cloud: the seed's inventory in two accounts and two
// regions (moto behind the CloudTrail proxy), a task in the ops table, the scheduler fired as its schedule
// fires it, and the executors' snapshots and runs.

const WITHIN_MS = 60_000;
const TASK = 'weekly-snapshots';

describe('ops tasks, end to end on the local cloud', function () {
  this.timeout(240_000);
  const suite = localCloudSuite();
  let places: SeededPlace[];
  let table: DynamoDBDocumentClient;
  let opsTable: string;

  before(async () => {
    const { description } = suite.cloud;
    places = await seedInventory({
      ec2Endpoint: description.endpoints.ec2 as string,
      stsEndpoint: description.endpoints.sts as string,
      credentials: description.credentials,
    });
    table = DynamoDBDocumentClient.from(suite.aws.dynamodb);
    opsTable = serviceOf(description, 'ops').resource('OpsTable');
  });

  /** The seed tags volumes for daily-snapshots; this suite's task is that task under its own name. */
  const ec2In = async (account: string, region: string) => {
    const { description } = suite.cloud;
    const sts = new STSClient(clientConfig(description, description.endpoints.sts as string));
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleArnOf(account), RoleSessionName: 'it' }),
    );
    sts.destroy();
    return new EC2Client({
      ...clientConfig(description, description.endpoints.ec2 as string),
      region,
      credentials: {
        accessKeyId: Credentials?.AccessKeyId ?? '',
        secretAccessKey: Credentials?.SecretAccessKey ?? '',
        sessionToken: Credentials?.SessionToken ?? '',
      },
    });
  };
  const snapshotsOf = async (account: string, region: string, task: string): Promise<Snapshot[]> => {
    const ec2 = await ec2In(account, region);
    try {
      const { Snapshots = [] } = await ec2.send(
        new DescribeSnapshotsCommand({
          OwnerIds: ['self'],
          Filters: [{ Name: `tag:${CREATED_BY_TAG}`, Values: [task] }],
        }),
      );
      return Snapshots;
    } finally {
      ec2.destroy();
    }
  };
  const runItems = async (runId: string) =>
    (
      await table.send(
        new QueryCommand({
          TableName: opsTable,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `run#${runId}` },
        }),
      )
    ).Items ?? [];
  const fireScheduler = async () => {
    const answer = await fetch(`${suite.cloud.description.controlUrl}/schedules/ops/scheduleTasks`, {
      method: 'POST',
    });
    expect(answer.status).to.equal(200);
  };

  it('snapshots the tagged volumes in two accounts and two regions when the schedule fires, and records the run', async () => {
    const tasks = createTasksTable({ client: table, tableName: opsTable });
    // Created two minutes ago, every minute: due at once.
    await tasks.put(
      {
        name: TASK,
        action: 'CreateSnapshot',
        tagKey: 'OpsAutomatorTaskList',
        schedule: '* * * * *',
        retention: { count: 1 },
        accounts: SEED_ACCOUNTS.map(roleArnOf),
        regions: [...SEED_REGIONS],
        dryRun: false,
        enabled: true,
      },
      new Date(Date.now() - 120_000),
    );
    await fireScheduler();

    const scheduled = await eventually(
      () => tasks.get(TASK),
      (task) => task?.lastScheduledFor !== undefined,
      WITHIN_MS,
    );
    const runId = `${TASK}@${scheduled?.lastScheduledFor}`;
    const items = await eventually(
      () => runItems(runId),
      (found) => found.filter((item) => item.entity === 'run-target').length === 4,
      WITHIN_MS,
    );
    const targets = items.filter((item) => item.entity === 'run-target');
    expect(
      targets.map((item) => `${item.accountId} ${item.target.region} ${item.status}`).sort(),
    ).to.deep.equal(
      SEED_ACCOUNTS.flatMap((account) =>
        SEED_REGIONS.map((region) => `${account} ${region} SUCCEEDED`),
      ).sort(),
    );
    expect(items.find((item) => item.entity === 'run')).to.include({
      taskName: TASK,
      targets: 4,
      trigger: 'schedule',
    });
    // The volume tagged for both tasks and the one tagged for weekly-snapshots, in each place.
    expect(targets.map((item) => item.created)).to.deep.equal([2, 2, 2, 2]);
    for (const account of SEED_ACCOUNTS) {
      for (const region of SEED_REGIONS) {
        expect(await snapshotsOf(account, region, TASK), `${account} ${region}`).to.have.length(2);
      }
    }
  });

  it('snapshots the volumes tagged for a task, explains the one tagged in another case, and keeps the retention', async () => {
    const tasks = createTasksTable({ client: table, tableName: opsTable });
    await tasks.put(
      {
        name: 'daily-snapshots',
        action: 'CreateSnapshot',
        tagKey: 'OpsAutomatorTaskList',
        schedule: '0 3 * * *',
        retention: { count: 1 },
        accounts: SEED_ACCOUNTS.map(roleArnOf),
        regions: [...SEED_REGIONS],
        dryRun: false,
        enabled: true,
      },
      new Date(),
    );
    const queueUrl = serviceOf(suite.cloud.description, 'ops').resource('TaskQueue');
    const runNow = async (runId: string) => {
      for (const account of SEED_ACCOUNTS) {
        for (const region of SEED_REGIONS) {
          await suite.aws.sqs.send(
            new SendMessageCommand({
              QueueUrl: queueUrl,
              MessageBody: JSON.stringify({
                taskName: 'daily-snapshots',
                runId,
                roleArn: roleArnOf(account),
                region,
              }),
            }),
          );
        }
      }
      return eventually(
        () => runItems(runId),
        (found) => found.filter((item) => item.entity === 'run-target').length === 4,
        WITHIN_MS,
      );
    };

    const first = await runNow('daily-snapshots@it-1');
    const second = await runNow('daily-snapshots@it-2');

    for (const items of [first, second]) {
      expect(items.filter((item) => item.entity === 'run-target').map((item) => item.status)).to.deep.equal(
        Array(4).fill('SUCCEEDED'),
      );
    }
    // Per account and region: the volume tagged for both tasks and the tagged instance's root volume.
    const seeded = places.filter((place) => place.created);
    expect(seeded.length).to.equal(4);
    for (const place of seeded) {
      const snapshots = await snapshotsOf(place.account, place.region, 'daily-snapshots');
      const both = Object.entries(place.volumes).find(([, label]) => label === 'tagged for both tasks')?.[0];
      // Retention 1: the second run's snapshot of each volume replaced the first one's.
      expect(snapshots.map((snapshot) => snapshot.VolumeId))
        .to.include(both)
        .and.have.length(2);
      expect(
        snapshots.every((snapshot) =>
          snapshot.Tags?.some(
            (tag) => tag.Key === 'OpsAutomatorRunId' && tag.Value === 'daily-snapshots@it-2',
          ),
        ),
      ).to.equal(true);
    }
    const explained = second.filter((item) => item.entity === 'run-resource' && item.outcome === 'skipped');
    expect(explained.map((item) => item.reason)).to.have.length(4);
    expect(explained[0]?.reason).to.match(/another case/);
    const deleted = second.filter((item) => item.entity === 'run-resource' && item.outcome === 'deleted');
    expect(deleted).to.have.length(8);
  });
});
