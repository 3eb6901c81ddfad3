import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVolumeCommand,
  CreateVpcCommand,
  DescribeVpcsCommand,
  EC2Client,
  RunInstancesCommand,
  type Tag,
} from '@aws-sdk/client-ec2';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { TaskDefinition } from '../src/core/tasks/task-definition';

/**
 * The local inventory the ops tasks work on: in each of two accounts and two regions, a VPC with a subnet,
 * security groups, instances and volumes, all made through the EC2 API (moto keeps accounts apart by the
 * access key: each account is reached by assuming a role in it, as the executor does). Some resources are
 * tagged for the two tasks, some for neither, and one is tagged in a way that looks right but is not (the
 * run explains why it was not selected).
 */
export const SEED_ACCOUNTS = ['111111111111', '222222222222'] as const;
export const SEED_REGIONS = ['us-east-1', 'eu-west-1'] as const;
export const SEED_ROLE_NAME = 'ops-automator-task';
export const SEED_MARKER = { Key: 'serverless-patterns', Value: 'ops-seed' };

export const roleArnOf = (account: string) => `arn:aws:iam::${account}:role/${SEED_ROLE_NAME}`;

/** The two tasks of the seed: daily snapshots kept 7 per volume, weekly ones kept 30 days. */
export function seedTasks(): TaskDefinition[] {
  const common = {
    tagKey: 'OpsAutomatorTaskList',
    accounts: SEED_ACCOUNTS.map(roleArnOf),
    regions: [...SEED_REGIONS],
    dryRun: false,
    enabled: true,
  };
  return [
    {
      ...common,
      name: 'daily-snapshots',
      action: 'CreateSnapshot',
      schedule: '0 3 * * *',
      retention: { count: 7 },
    },
    {
      ...common,
      name: 'weekly-snapshots',
      action: 'CreateSnapshot',
      schedule: '0 4 * * 0',
      retention: { days: 30 },
    },
  ];
}

export interface SeedTarget {
  /** The local cloud's EC2 and STS endpoint (the CloudTrail proxy), or undefined for AWS. */
  ec2Endpoint?: string;
  stsEndpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface SeededPlace {
  account: string;
  region: string;
  vpcId: string;
  /** volume id -> what its tags are meant to show. */
  volumes: Record<string, string>;
  instances: Record<string, string>;
  securityGroups: string[];
  created: boolean;
}

const tags = (pairs: Record<string, string>): Tag[] => [
  SEED_MARKER,
  ...Object.entries(pairs).map(([Key, Value]) => ({ Key, Value })),
];

export async function seedInventory(target: SeedTarget, log: (line: string) => void = () => undefined) {
  const sts = new STSClient({
    region: 'us-east-1',
    ...(target.stsEndpoint === undefined ? {} : { endpoint: target.stsEndpoint }),
    ...(target.credentials === undefined ? {} : { credentials: target.credentials }),
  });
  const places: SeededPlace[] = [];
  try {
    for (const account of SEED_ACCOUNTS) {
      const { Credentials } = await sts.send(
        new AssumeRoleCommand({ RoleArn: roleArnOf(account), RoleSessionName: 'ops-seed' }),
      );
      const credentials = {
        accessKeyId: Credentials?.AccessKeyId ?? '',
        secretAccessKey: Credentials?.SecretAccessKey ?? '',
        sessionToken: Credentials?.SessionToken ?? '',
      };
      for (const region of SEED_REGIONS) {
        const ec2 = new EC2Client({
          region,
          credentials,
          ...(target.ec2Endpoint === undefined ? {} : { endpoint: target.ec2Endpoint }),
        });
        try {
          const place = await seedPlace(ec2, account, region);
          places.push(place);
          log(
            place.created
              ? `${account} ${region}: created ${place.vpcId}, ${Object.keys(place.instances).length} instances, ` +
                  `${Object.keys(place.volumes).length} volumes, ${place.securityGroups.length} security groups`
              : `${account} ${region}: already seeded (${place.vpcId}), left as it is`,
          );
        } finally {
          ec2.destroy();
        }
      }
    }
  } finally {
    sts.destroy();
  }
  return places;
}

async function seedPlace(ec2: EC2Client, account: string, region: string): Promise<SeededPlace> {
  const existing = await ec2.send(
    new DescribeVpcsCommand({ Filters: [{ Name: `tag:${SEED_MARKER.Key}`, Values: [SEED_MARKER.Value] }] }),
  );
  const found = existing.Vpcs?.[0]?.VpcId;
  if (found !== undefined) {
    return { account, region, vpcId: found, volumes: {}, instances: {}, securityGroups: [], created: false };
  }
  const vpc = await ec2.send(
    new CreateVpcCommand({
      CidrBlock: '10.20.0.0/16',
      TagSpecifications: [{ ResourceType: 'vpc', Tags: tags({ Name: 'ops-seed' }) }],
    }),
  );
  const vpcId = vpc.Vpc?.VpcId as string;
  const zone = `${region}a`;
  const subnet = await ec2.send(
    new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.20.1.0/24', AvailabilityZone: zone }),
  );
  const web = await ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: 'ops-seed-web',
      Description: 'HTTPS from anywhere',
      VpcId: vpcId,
    }),
  );
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: web.GroupId,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    }),
  );
  const db = await ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: 'ops-seed-db',
      Description: 'PostgreSQL from the VPC',
      VpcId: vpcId,
    }),
  );
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: db.GroupId,
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: '10.20.0.0/16' }] },
      ],
    }),
  );
  const instances: Record<string, string> = {};
  for (const [label, taskList] of [
    ['tagged for daily-snapshots (its root volume is selected)', 'daily-snapshots'],
    ['untagged', undefined],
  ] as const) {
    const run = await ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-03cf127a',
        InstanceType: 't3.micro',
        MinCount: 1,
        MaxCount: 1,
        SubnetId: subnet.Subnet?.SubnetId,
        SecurityGroupIds: [db.GroupId as string],
        TagSpecifications: [
          {
            ResourceType: 'instance',
            Tags: tags(
              taskList === undefined ? { Name: 'app' } : { Name: 'db', OpsAutomatorTaskList: taskList },
            ),
          },
        ],
      }),
    );
    instances[run.Instances?.[0]?.InstanceId as string] = label;
  }
  const volumes: Record<string, string> = {};
  for (const [label, taskList] of [
    ['tagged for both tasks', 'daily-snapshots,weekly-snapshots'],
    ['tagged for weekly-snapshots', 'weekly-snapshots'],
    ['tagged "Daily-Snapshots": another case, not selected (the run says why)', 'Daily-Snapshots'],
    ['untagged', undefined],
  ] as const) {
    const volume = await ec2.send(
      new CreateVolumeCommand({
        AvailabilityZone: zone,
        Size: 8,
        TagSpecifications: [
          {
            ResourceType: 'volume',
            Tags: tags(
              taskList === undefined ? { Name: 'scratch' } : { Name: 'data', OpsAutomatorTaskList: taskList },
            ),
          },
        ],
      }),
    );
    volumes[volume.VolumeId as string] = label;
  }
  return {
    account,
    region,
    vpcId,
    volumes,
    instances,
    securityGroups: [web.GroupId as string, db.GroupId as string],
    created: true,
  };
}
