import { DescribeSecurityGroupRulesCommand, RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import { ec2 } from '@serverless-patterns/shared/clients/ec2';
import { sns } from '@serverless-patterns/shared/clients/sns';
import {
  captureLogsInEachTest,
  commandsSent,
  lambdaContext,
  mockClientsInEachTest,
} from '@serverless-patterns/shared/testing';
import { expect } from 'chai';
import type * as EnforceSecurityGroupPolicy from '../../../src/handlers/enforce-security-group-policy';
import {
  authorizeIngressDetail,
  authorizeIngressEvent,
  failedAuthorizeIngressDetail,
  GROUP_ID,
} from '../authorize-ingress-records';

const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:ops-notifications';
const ENVIRONMENT = {
  OPS_TABLE_NAME: 'ops-table',
  NOTIFICATIONS_TOPIC_ARN: TOPIC_ARN,
  ENFORCEMENT_MODE: 'revoke',
  FORBIDDEN_PORTS: '22,3389,5432',
  WORLD_OPEN_SHARE: '1/256',
  MEMBER_ACCOUNTS: '',
  MEMBER_ROLE_NAME: 'ops-security-guard',
  AWS_REGION: 'eu-west-1',
};
const context = lambdaContext({ functionName: 'serverless-patterns-ops-dev-enforceSecurityGroupPolicy' });

describe('enforceSecurityGroupPolicy handler', () => {
  const mocks = mockClientsInEachTest({ documentClient, ec2, sns });
  const heldRule = {
    SecurityGroupRuleId: 'sgr-0c2f4e6a8b0d1f301',
    GroupId: GROUP_ID,
    IsEgress: false,
    IpProtocol: 'tcp',
    FromPort: 22,
    ToPort: 22,
    CidrIpv4: '0.0.0.0/0',
  };
  const logs = captureLogsInEachTest();
  const saved = Object.fromEntries(Object.keys(ENVIRONMENT).map((name) => [name, process.env[name]]));
  let handler: typeof EnforceSecurityGroupPolicy.handler;

  // Loaded as Lambda loads it, with its configuration in the environment.
  before(async () => {
    Object.assign(process.env, ENVIRONMENT);
    ({ handler } = await import('../../../src/handlers/enforce-security-group-policy'));
  });

  after(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('revokes a world-open rule, records it, alerts the topic and counts it', async () => {
    // Prepare
    mocks.ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: [heldRule] });
    mocks.ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
    const event = authorizeIngressEvent();

    // Act
    await handler(event, context);

    // Assess
    const [describe, ...revocations] = commandsSent(mocks.ec2);
    expect(describe?.name).to.equal('DescribeSecurityGroupRulesCommand');
    expect(describe?.input).to.deep.include({ Filters: [{ Name: 'group-id', Values: [GROUP_ID] }] });
    expect(revocations).to.deep.equal([
      {
        name: 'RevokeSecurityGroupIngressCommand',
        input: { GroupId: GROUP_ID, SecurityGroupRuleIds: ['sgr-0c2f4e6a8b0d1f301'] },
      },
    ]);
    const puts = commandsSent(mocks.documentClient).map(({ name, input }) => {
      const { TableName, Item } = input as { TableName: string; Item: Record<string, unknown> };
      return [name, TableName, Item.groupId, Item.action, Item.notified];
    });
    expect(puts).to.deep.equal([
      ['PutCommand', 'ops-table', GROUP_ID, 'REVOKED', false],
      ['PutCommand', 'ops-table', GROUP_ID, 'REVOKED', true],
    ]);
    expect(commandsSent(mocks.sns).map(({ input }) => input)).to.have.deep.nested.property(
      '[0].TopicArn',
      TOPIC_ARN,
    );
    const warning = logs.logs().find(({ message }) => message === 'world-open ingress rules found');
    expect(warning).to.include({ correlation_id: event.id, mode: 'revoke', revoked: 1, alerted: 1 });
    expect(logs.metrics()).to.have.deep.nested.property('[0].WorldOpenRulesRevoked', 1);
  });

  it('says that a call EC2 refused added no rule, and changes nothing', async () => {
    // Act
    await handler(authorizeIngressEvent(failedAuthorizeIngressDetail()), context);

    // Assess
    expect([mocks.ec2, mocks.documentClient, mocks.sns].flatMap(commandsSent)).to.deep.equal([]);
    expect(
      logs.logs().find(({ message }) => message === 'the call failed, no rule was added or changed'),
    ).to.include({
      errorCode: 'Client.InvalidPermission.Duplicate',
    });
  });

  it('throws on a malformed event, so that Lambda retries it and then keeps it in the failure queue', async () => {
    // Prepare
    const detail = authorizeIngressDetail();
    detail.requestParameters = { groupId: GROUP_ID };

    // Act
    const invocation = handler(authorizeIngressEvent(detail), context);

    // Assess
    await invocation.then(
      () => expect.fail('the malformed event was accepted'),
      (error: Error) => expect(error.name).to.equal('ValidationError'),
    );
    expect([mocks.ec2, mocks.documentClient, mocks.sns].flatMap(commandsSent)).to.deep.equal([]);
  });
});
