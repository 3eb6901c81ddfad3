import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  ModifySecurityGroupRulesCommand,
} from '@aws-sdk/client-ec2';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { expect } from 'chai';
import { startCloudTrailProxy } from '../../src/emulators/cloudtrail/proxy';
import { findFreePort, type RunningEmulator } from '../../src/emulators/emulator';
import { startMotoServer } from '../../src/emulators/moto/moto-server';
import { type BusEvent, createEventBus, startEventBusServer } from '../../src/triggers/eventbridge/event-bus';
import type { EventRule } from '../../src/triggers/eventbridge/rules';
import { credentials, region, stopAndAssertGone, timed } from './support';

const LOCAL_ACCOUNT = '000000000000';
const MEMBER_ACCOUNT = '111111111111';

const securityGroupRule: EventRule = {
  name: 'security-group-changes',
  arn: 'arn:aws:events:us-east-1:000000000000:rule/security-group-changes',
  eventBusName: 'default',
  eventPattern: { source: ['aws.ec2'], 'detail-type': ['AWS API Call via CloudTrail'] },
  state: 'ENABLED',
  targets: [],
};

describe('CloudTrail proxy in front of moto (EC2, STS)', function () {
  this.timeout(60_000);
  let moto: RunningEmulator | undefined;
  let proxy: Awaited<ReturnType<typeof startCloudTrailProxy>> | undefined;
  let bus: Awaited<ReturnType<typeof startEventBusServer>> | undefined;
  const events: BusEvent[] = [];

  before(async () => {
    moto = await timed('moto', async () => startMotoServer({ port: await findFreePort() }));
    bus = await startEventBusServer({
      bus: createEventBus({ rules: [securityGroupRule], onEvent: (_rule, event) => events.push(event) }),
      port: await findFreePort(),
    });
    proxy = await startCloudTrailProxy({
      port: await findFreePort(),
      motoEndpoint: moto.endpoint,
      eventBridgeEndpoint: bus.url,
      defaultAccountId: LOCAL_ACCOUNT,
    });
  });

  after(async () => {
    await stopAndAssertGone(proxy);
    await bus?.close();
    await stopAndAssertGone(moto);
  });

  beforeEach(() => {
    events.length = 0;
  });

  const config = (keys = credentials, inRegion = region) => ({
    endpoint: proxy?.endpoint ?? '',
    region: inRegion,
    credentials: keys,
  });
  // biome-ignore lint/suspicious/noExplicitAny: a CloudTrail record is read field by field, as a test reads JSON.
  const detailOf = (event: BusEvent | undefined) => event?.detail as Record<string, any>;

  async function assumeRole(account: string) {
    const { Credentials } = await new STSClient(config()).send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/OpsAutomator`, RoleSessionName: 'ops' }),
    );
    return {
      accessKeyId: Credentials?.AccessKeyId ?? '',
      secretAccessKey: Credentials?.SecretAccessKey ?? '',
      sessionToken: Credentials?.SessionToken ?? '',
    };
  }

  it('answers STS in the default account for the local credentials', async () => {
    const { Account } = await new STSClient(config()).send(new GetCallerIdentityCommand({}));

    expect(Account).to.equal(LOCAL_ACCOUNT);
  });

  it('puts an "AWS API Call via CloudTrail" event, shaped as CloudTrail records it, after an ingress rule is added', async () => {
    const ec2 = new EC2Client(config());
    const { GroupId } = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: 'db', Description: 'db' }),
    );

    const { SecurityGroupRules = [] } = await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId,
        IpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: 5432,
            ToPort: 5432,
            IpRanges: [{ CidrIp: '0.0.0.0/1' }, { CidrIp: '128.0.0.0/1' }],
            Ipv6Ranges: [{ CidrIpv6: '2000::/3' }],
          },
        ],
      }),
    );
    await proxy?.idle();

    const authorize = events.find((event) => detailOf(event).eventName === 'AuthorizeSecurityGroupIngress');
    expect(authorize).to.include({
      source: 'aws.ec2',
      'detail-type': 'AWS API Call via CloudTrail',
      account: LOCAL_ACCOUNT,
      region,
    });
    const detail = detailOf(authorize);
    expect(detail).to.include({ eventSource: 'ec2.amazonaws.com', awsRegion: region, readOnly: false });
    expect(detail.userIdentity).to.include({ type: 'IAMUser', accountId: LOCAL_ACCOUNT });
    expect(detail.requestParameters).to.deep.equal({
      groupId: GroupId,
      ipPermissions: {
        items: [
          {
            ipProtocol: 'tcp',
            fromPort: 5432,
            toPort: 5432,
            ipRanges: { items: [{ cidrIp: '0.0.0.0/1' }, { cidrIp: '128.0.0.0/1' }] },
            ipv6Ranges: { items: [{ cidrIpv6: '2000::/3' }] },
          },
        ],
      },
    });
    expect(detail.responseElements._return).to.equal(true);
    expect(
      detail.responseElements.securityGroupRuleSet.items.map(
        (rule: { securityGroupRuleId: string }) => rule.securityGroupRuleId,
      ),
    )
      .to.have.members(SecurityGroupRules.map((rule) => rule.SecurityGroupRuleId))
      .and.have.length(3);
    expect(events.map((event) => detailOf(event).eventName)).to.include('CreateSecurityGroup');
  });

  it('records the legacy top-level form beside an empty ipPermissions, as CloudTrail does', async () => {
    const ec2 = new EC2Client(config());
    const { GroupId } = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: 'ssh', Description: 'ssh' }),
    );

    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId,
        IpProtocol: 'tcp',
        FromPort: 22,
        ToPort: 22,
        CidrIp: '0.0.0.0/0',
      }),
    );
    await proxy?.idle();

    const detail = detailOf(events.at(-1));
    expect(detail.requestParameters).to.deep.equal({
      groupId: GroupId,
      ipProtocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      cidrIp: '0.0.0.0/0',
      ipPermissions: {},
    });
  });

  it('records a failed call with its errorCode and no response', async () => {
    const ec2 = new EC2Client(config());

    const failure = await ec2
      .send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: 'sg-0000000000000dead',
          IpPermissions: [
            { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
          ],
        }),
      )
      .catch((error: Error) => error);
    await proxy?.idle();

    expect(failure).to.be.instanceOf(Error);
    const detail = detailOf(events.at(-1));
    expect(detail.errorCode).to.equal((failure as Error).name);
    expect(detail.responseElements).to.equal(null);
  });

  it('records ModifySecurityGroupRules in the new style, under its request name', async () => {
    const ec2 = new EC2Client(config());
    const { GroupId } = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: 'pg', Description: 'pg' }),
    );
    const { SecurityGroupRules = [] } = await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId,
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
        ],
      }),
    );
    const ruleId = SecurityGroupRules[0]?.SecurityGroupRuleId ?? '';

    await ec2.send(
      new ModifySecurityGroupRulesCommand({
        GroupId,
        SecurityGroupRules: [
          {
            SecurityGroupRuleId: ruleId,
            SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, CidrIpv4: '0.0.0.0/0' },
          },
        ],
      }),
    );
    await proxy?.idle();

    const detail = detailOf(events.at(-1));
    expect(detail.eventName).to.equal('ModifySecurityGroupRules');
    expect(detail.requestParameters.ModifySecurityGroupRulesRequest).to.deep.equal({
      GroupId,
      SecurityGroupRule: {
        SecurityGroupRuleId: ruleId,
        SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, CidrIpv4: '0.0.0.0/0' },
        tag: 1,
      },
    });
  });

  it("keeps an assumed role's account apart, and names the role's session as the caller", async () => {
    const member = await assumeRole(MEMBER_ACCOUNT);
    const ec2 = new EC2Client(config(member, 'eu-west-1'));

    const { GroupId } = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: 'member', Description: 'member' }),
    );
    await proxy?.idle();

    const { Account } = await new STSClient(config(member)).send(new GetCallerIdentityCommand({}));
    expect(Account).to.equal(MEMBER_ACCOUNT);
    const local = await new EC2Client(config(credentials, 'eu-west-1')).send(
      new DescribeSecurityGroupsCommand({}),
    );
    expect(local.SecurityGroups?.map((group) => group.GroupId)).not.to.include(GroupId);
    const event = events.at(-1);
    expect(event).to.include({ account: MEMBER_ACCOUNT, region: 'eu-west-1' });
    expect(detailOf(event).userIdentity).to.include({
      type: 'AssumedRole',
      accountId: MEMBER_ACCOUNT,
      accessKeyId: member.accessKeyId,
    });
    expect(detailOf(event).userIdentity.arn).to.match(
      new RegExp(`^arn:aws:sts::${MEMBER_ACCOUNT}:assumed-role/OpsAutomator/ops$`),
    );
  });
});
