import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupRulesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  BatchCreatePartitionCommand,
  CreateDatabaseCommand,
  CreateTableCommand,
  GetPartitionsCommand,
  GlueClient,
} from '@aws-sdk/client-glue';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { expect } from 'chai';
import { findFreePort, type RunningEmulator } from '../../src/emulators/emulator';
import { missingMotoServer, startMotoServer } from '../../src/emulators/moto/moto-server';
import { clientConfig, stopAndAssertGone, timed } from './support';

describe("Glue, EC2 and STS emulator (moto's server)", function () {
  this.timeout(60_000);
  let emulator: RunningEmulator | undefined;

  before(async () => {
    emulator = await timed('moto', async () => startMotoServer({ port: await findFreePort() }));
  });

  after(async () => {
    await stopAndAssertGone(emulator);
  });

  const config = () => clientConfig(emulator as RunningEmulator);

  it('answers STS in the account that x-moto-account-id names (the CloudTrail proxy sets it)', async () => {
    const sts = new STSClient(config());
    sts.middlewareStack.add(
      (next) => (args) => {
        (args.request as { headers: Record<string, string> }).headers['x-moto-account-id'] = '111111111111';
        return next(args);
      },
      { step: 'build' },
    );
    const { Account } = await sts.send(new GetCallerIdentityCommand({}));

    expect(Account).to.equal('111111111111');
  });

  it('keeps a Glue table and selects its partitions with an expression on the partition keys', async () => {
    const glue = new GlueClient(config());
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'lake' } }));
    await glue.send(
      new CreateTableCommand({
        DatabaseName: 'lake',
        TableInput: {
          Name: 'ngram',
          PartitionKeys: [{ Name: 'year', Type: 'int' }],
          StorageDescriptor: {
            Columns: [{ Name: 'gram', Type: 'string' }],
            Location: 's3://lake/curated/ngram/',
          },
        },
      }),
    );
    await glue.send(
      new BatchCreatePartitionCommand({
        DatabaseName: 'lake',
        TableName: 'ngram',
        PartitionInputList: ['1999', '2000', '2001'].map((year) => ({
          Values: [year],
          StorageDescriptor: { Location: `s3://lake/curated/ngram/year=${year}/` },
        })),
      }),
    );

    const { Partitions = [] } = await glue.send(
      new GetPartitionsCommand({ DatabaseName: 'lake', TableName: 'ngram', Expression: 'year >= 2000' }),
    );

    expect(Partitions.map((partition) => partition.Values?.[0]).sort()).to.deep.equal(['2000', '2001']);
  });

  it('gives each EC2 ingress rule its id, as AuthorizeSecurityGroupIngress does', async () => {
    const ec2 = new EC2Client(config());
    const { GroupId } = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: 'db', Description: 'database' }),
    );

    const { SecurityGroupRules = [] } = await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId,
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        ],
      }),
    );
    const described = await ec2.send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [GroupId ?? ''] }] }),
    );

    expect(SecurityGroupRules[0]?.SecurityGroupRuleId).to.match(/^sgr-/);
    expect(described.SecurityGroupRules?.map((rule) => rule.SecurityGroupRuleId)).to.include(
      SecurityGroupRules[0]?.SecurityGroupRuleId,
    );
  });

  it('names what is missing, and how to install it, when moto_server is not on the PATH', async () => {
    expect(await missingMotoServer('moto_server_that_is_not_there')).to.include("pip install 'moto[server]'");
    expect(await missingMotoServer()).to.equal(undefined);
  });
});
