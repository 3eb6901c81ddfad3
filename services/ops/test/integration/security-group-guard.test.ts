import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupRulesCommand,
  EC2Client,
  ModifySecurityGroupRulesCommand,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { clientConfig, eventually, localCloudSuite, serviceOf } from '@serverless-patterns/local/testing';
import { expect } from 'chai';
import { createAuditLog } from '../../src/adapters/audit-log';
import { createNotifier } from '../../src/adapters/notifier';
import { createSecurityGroups } from '../../src/adapters/security-groups';
import { parseSecurityGroupChange } from '../../src/core/security-group-events';
import { DEFAULT_FORBIDDEN_PORTS, DEFAULT_WORLD_OPEN_SHARE } from '../../src/core/security-group-policy';
import { createSecurityPolicyEnforcer } from '../../src/core/security-policy-enforcer';
import { sample } from '../unit/cloudtrail-samples';

// The guard as an operator meets it, on the local cloud: security-group rules opened with the real SDK
// against the local EC2 (moto behind the CloudTrail proxy) reach enforceSecurityGroupPolicy as "AWS API
// Call via CloudTrail" events on the default bus, and world-open rules are revoked by rule id.

const WITHIN_MS = 20_000;

// biome-ignore lint/suspicious/noExplicitAny: the real records are edited field by field, as JSON.
type Json = Record<string, any>;

describe('security-group guard, end to end on the local cloud', function () {
  this.timeout(120_000);
  const suite = localCloudSuite();
  let ec2: EC2Client;
  let table: DynamoDBDocumentClient;
  let opsTable: string;

  before(() => {
    const { description } = suite.cloud;
    ec2 = new EC2Client(clientConfig(description, description.endpoints.ec2 as string));
    table = DynamoDBDocumentClient.from(suite.aws.dynamodb);
    opsTable = serviceOf(description, 'ops').resource('OpsTable');
  });

  after(() => ec2?.destroy());

  const newGroup = async (name: string) =>
    (
      await ec2.send(
        new CreateSecurityGroupCommand({ GroupName: `${name}-${Date.now()}`, Description: 'guard test' }),
      )
    ).GroupId as string;
  const ingressOf = async (groupId: string): Promise<SecurityGroupRule[]> =>
    (
      (
        await ec2.send(
          new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }),
        )
      ).SecurityGroupRules ?? []
    ).filter((rule) => rule.IsEgress !== true);
  const findingsOf = async (groupId: string) =>
    (
      await table.send(
        new QueryCommand({
          TableName: opsTable,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `finding#${groupId}` },
        }),
      )
    ).Items ?? [];
  const cidrsOf = (rules: SecurityGroupRule[]) => rules.map((rule) => rule.CidrIpv4 ?? rule.CidrIpv6).sort();

  it('revokes a world-open PostgreSQL rule, and only it, and records the finding', async () => {
    const groupId = await newGroup('postgres');

    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: 5432,
            ToPort: 5432,
            IpRanges: [{ CidrIp: '0.0.0.0/0' }, { CidrIp: '10.0.0.0/8' }],
          },
        ],
      }),
    );

    const rules = await eventually(
      () => ingressOf(groupId),
      (now) => now.length === 1,
      WITHIN_MS,
    );
    expect(cidrsOf(rules)).to.deep.equal(['10.0.0.0/8']);
    const findings = await eventually(
      () => findingsOf(groupId),
      (items) => items[0]?.notified === true,
      WITHIN_MS,
    );
    expect(findings).to.have.length(1);
    expect(findings[0]).to.include({ cidr: '0.0.0.0/0', action: 'REVOKED', fromPort: 5432 });
  });

  it('revokes the legacy top-level form (CidrIp, IpProtocol, FromPort, ToPort) and half-internet ranges', async () => {
    const groupId = await newGroup('legacy');

    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpProtocol: 'tcp',
        FromPort: 22,
        ToPort: 22,
        CidrIp: '0.0.0.0/0',
      }),
    );
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: 3306,
            ToPort: 3306,
            IpRanges: [{ CidrIp: '0.0.0.0/1' }, { CidrIp: '128.0.0.0/1' }],
          },
          { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, Ipv6Ranges: [{ CidrIpv6: '2000::/3' }] },
        ],
      }),
    );

    const rules = await eventually(
      () => ingressOf(groupId),
      (now) => now.length === 0,
      WITHIN_MS,
    );
    expect(rules).to.deep.equal([]);
  });

  it('revokes a rule edited to 0.0.0.0/0 (ModifySecurityGroupRules, the console’s "Edit inbound rules")', async () => {
    const groupId = await newGroup('edited');
    const { SecurityGroupRules = [] } = await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 3389, ToPort: 3389, IpRanges: [{ CidrIp: '192.0.2.0/24' }] },
        ],
      }),
    );
    const ruleId = SecurityGroupRules[0]?.SecurityGroupRuleId as string;

    await ec2.send(
      new ModifySecurityGroupRulesCommand({
        GroupId: groupId,
        SecurityGroupRules: [
          {
            SecurityGroupRuleId: ruleId,
            SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 3389, ToPort: 3389, CidrIpv4: '0.0.0.0/0' },
          },
        ],
      }),
    );

    const rules = await eventually(
      () => ingressOf(groupId),
      (now) => now.length === 0,
      WITHIN_MS,
    );
    expect(rules).to.deep.equal([]);
  });

  it('changes nothing when the same event is delivered again (a replay)', async () => {
    const groupId = await newGroup('replay');
    const { SecurityGroupRules = [] } = await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 6379, ToPort: 6379, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        ],
      }),
    );
    await eventually(
      () => findingsOf(groupId),
      (items) => items[0]?.notified === true,
      WITHIN_MS,
    );
    // The real stratus-red-team record, pointed at this group and rule.
    const event = sample('ec2-AuthorizeSecurityGroupIngress-toplevel-cidrIp-port22.json') as Json;
    const detail: Json = {
      ...event,
      awsRegion: suite.cloud.description.region,
      recipientAccountId: '000000000000',
      requestParameters: {
        ...event.requestParameters,
        groupId,
        cidrIp: '0.0.0.0/0',
        fromPort: 6379,
        toPort: 6379,
      },
      responseElements: {
        ...event.responseElements,
        securityGroupRuleSet: {
          items: [
            {
              ...event.responseElements.securityGroupRuleSet.items[0],
              groupId,
              cidrIpv4: '0.0.0.0/0',
              fromPort: 6379,
              toPort: 6379,
              securityGroupRuleId: SecurityGroupRules[0]?.SecurityGroupRuleId,
            },
          ],
        },
      },
    };
    const invoke = () =>
      suite.aws.lambda('ops').send(
        new InvokeCommand({
          FunctionName: serviceOf(suite.cloud.description, 'ops').functionName('enforceSecurityGroupPolicy'),
          Payload: JSON.stringify({
            version: '0',
            id: 'replayed-event',
            'detail-type': 'AWS API Call via CloudTrail',
            source: 'aws.ec2',
            account: '000000000000',
            time: detail.eventTime,
            region: detail.awsRegion,
            resources: [],
            detail,
          }),
        }),
      );

    const first = await invoke();
    const second = await invoke();

    expect([first.FunctionError, second.FunctionError]).to.deep.equal([undefined, undefined]);
    expect(await ingressOf(groupId)).to.deep.equal([]);
    // The replayed record made one entry, alerted once; the bus's own delivery made the other.
    const findings = await findingsOf(groupId);
    const replayed = findings.filter((finding) => finding.sourceEventId === detail.eventID);
    expect(replayed.map((finding) => [finding.action, finding.notified])).to.deep.equal([['REVOKED', true]]);
    expect(findings).to.have.length(2);
  });

  it('in report mode, alerts and records the finding, and leaves the rule open', async () => {
    const { description } = suite.cloud;
    const ops = serviceOf(description, 'ops');
    const enforcer = createSecurityPolicyEnforcer({
      securityGroupsIn: () => createSecurityGroups({ client: ec2 }),
      auditLog: createAuditLog({ client: table, tableName: opsTable }),
      notifier: createNotifier({ client: suite.aws.sns, topicArn: ops.resource('OpsNotificationsTopic') }),
      mode: 'report',
      policy: { forbiddenPorts: DEFAULT_FORBIDDEN_PORTS, worldOpenShare: DEFAULT_WORLD_OPEN_SHARE },
    });
    const groupId = await newGroup('report');
    const { SecurityGroupRules = [] } = await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 27017, ToPort: 27017, IpRanges: [{ CidrIp: '192.0.2.0/24' }] },
        ],
      }),
    );
    const event = sample('ec2-AuthorizeSecurityGroupIngress-ipv4-world-allports-eventbridge.json') as Json;
    // The guard of the local cloud revokes: this enforcer, in report mode, gets the event of a world-open
    // call while EC2 holds the narrow rule, so that nothing but the mode can keep it from being revoked.
    const open = parseSecurityGroupChange({
      ...event.detail,
      eventID: `report-${groupId}`,
      requestParameters: {
        groupId,
        ipPermissions: {
          items: [
            {
              ipProtocol: 'tcp',
              fromPort: 27017,
              toPort: 27017,
              ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] },
            },
          ],
        },
      },
      responseElements: { _return: true },
    });
    const reported = await enforcer.enforce(open);

    expect(reported.revoked).to.equal(0);
    expect(reported.notified.map((finding) => finding.action)).to.deep.equal(['REPORTED']);
    expect(cidrsOf(await ingressOf(groupId))).to.include('192.0.2.0/24');
    expect(SecurityGroupRules).to.have.length(1);
  });
});
