import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CLOUD_OPTION, LOCAL_CLOUD_FILE, parseCommandLine } from '@serverless-patterns/local/command-line';
import { awsClients, readCloudDescription, serviceOf } from '@serverless-patterns/local/testing';
import { createTasksTable } from '../src/adapters/tasks-table';
import { seedInventory, seedTasks } from './inventory';

const OPS_SEED = {
  invocation: 'npm run ops:seed --',
  synopsis: '[options]',
  about: [
    "Seeds the running local cloud's EC2 (moto behind the CloudTrail proxy) with the ops inventory of",
    'scripts/inventory.ts: in accounts 111111111111 and 222222222222 and regions us-east-1 and eu-west-1, a',
    "VPC, security groups, instances and volumes; and puts the seed's two snapshot tasks into the ops table.",
    'Run again, it leaves what exists alone. Then npm run trigger -- ops scheduleTasks fires the scheduler.',
  ].join('\n'),
  options: {
    cloud: { ...CLOUD_OPTION, default: LOCAL_CLOUD_FILE },
  },
} as const;

const { values } = parseCommandLine(OPS_SEED);

async function main(): Promise<void> {
  const description = await readCloudDescription(values.cloud).catch(() => undefined);
  if (description === undefined) {
    console.error('The local cloud is not running: start it with npm start.');
    process.exit(1);
  }
  await seedInventory(
    {
      ec2Endpoint: description.endpoints.ec2 as string,
      stsEndpoint: description.endpoints.sts as string,
      credentials: description.credentials,
    },
    (line) => console.log(line),
  );
  const aws = awsClients(description);
  try {
    const tasks = createTasksTable({
      client: DynamoDBDocumentClient.from(aws.dynamodb),
      tableName: serviceOf(description, 'ops').resource('OpsTable'),
    });
    for (const task of seedTasks()) {
      await tasks.put(task, new Date());
      console.log(
        `task ${task.name}: ${task.action} on "${task.schedule}" (UTC) in ${task.accounts.length} accounts x ${task.regions.length} regions`,
      );
    }
  } finally {
    aws.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
