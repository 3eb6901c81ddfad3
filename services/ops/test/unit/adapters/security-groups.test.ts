import {
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2ServiceException,
  GetManagedPrefixListEntriesCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { ec2 } from '@serverless-patterns/shared/clients/ec2';
import { commandsSent, mockClientsInEachTest } from '@serverless-patterns/shared/testing';
import { expect } from 'chai';
import { createSecurityGroups } from '../../../src/adapters/security-groups';

const GROUP_ID = 'sg-0a1b2c3d4e5f67890';

const ec2Error = (name: string) =>
  new EC2ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 400 }, message: name });

describe('security groups adapter', () => {
  const mocks = mockClientsInEachTest({ ec2 });
  const securityGroups = createSecurityGroups({ client: ec2 });

  it('revokes exactly one rule, by its id', async () => {
    mocks.ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });

    expect(await securityGroups.revokeRule(GROUP_ID, 'sgr-1')).to.equal('revoked');
    expect(commandsSent(mocks.ec2)).to.deep.equal([
      {
        name: 'RevokeSecurityGroupIngressCommand',
        input: { GroupId: GROUP_ID, SecurityGroupRuleIds: ['sgr-1'] },
      },
    ]);
  });

  it('answers already-absent for a rule EC2 no longer has, as an error (non-default VPC)', async () => {
    mocks.ec2.on(RevokeSecurityGroupIngressCommand).rejects(ec2Error('InvalidSecurityGroupRuleId.NotFound'));

    expect(await securityGroups.revokeRule(GROUP_ID, 'sgr-1')).to.equal('already-absent');
  });

  it('answers already-absent when EC2 lists the rule as unknown (default VPC)', async () => {
    mocks.ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true, UnknownIpPermissions: [{}] });

    expect(await securityGroups.revokeRule(GROUP_ID, 'sgr-1')).to.equal('already-absent');
  });

  it('rethrows any other error, so that the event is retried', async () => {
    mocks.ec2.on(RevokeSecurityGroupIngressCommand).rejects(ec2Error('UnauthorizedOperation'));

    await securityGroups.revokeRule(GROUP_ID, 'sgr-1').then(
      () => expect.fail('resolved'),
      (error: Error) => expect(error.name).to.equal('UnauthorizedOperation'),
    );
  });

  it('reads the ingress rules of a group, every page, leaving egress rules out', async () => {
    mocks.ec2
      .on(DescribeSecurityGroupRulesCommand)
      .resolvesOnce({
        SecurityGroupRules: [
          {
            SecurityGroupRuleId: 'sgr-1',
            IsEgress: false,
            IpProtocol: 'tcp',
            FromPort: 22,
            ToPort: 22,
            CidrIpv4: '0.0.0.0/0',
          },
          {
            SecurityGroupRuleId: 'sgr-2',
            IsEgress: true,
            IpProtocol: '-1',
            FromPort: -1,
            ToPort: -1,
            CidrIpv4: '0.0.0.0/0',
          },
        ],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        SecurityGroupRules: [
          {
            SecurityGroupRuleId: 'sgr-3',
            IsEgress: false,
            IpProtocol: '6',
            FromPort: 5432,
            ToPort: 5432,
            PrefixListId: 'pl-1',
          },
        ],
      });

    expect(await securityGroups.ingressRulesOf(GROUP_ID)).to.deep.equal([
      {
        ruleId: 'sgr-1',
        protocol: 'tcp',
        fromPort: 22,
        toPort: 22,
        source: { kind: 'cidr', cidr: '0.0.0.0/0' },
      },
      {
        ruleId: 'sgr-3',
        protocol: 'tcp',
        fromPort: 5432,
        toPort: 5432,
        source: { kind: 'prefix-list', prefixListId: 'pl-1' },
      },
    ]);
  });

  it('reads a prefix list’s ranges and looks a group up by name', async () => {
    mocks.ec2.on(GetManagedPrefixListEntriesCommand).resolves({ Entries: [{ Cidr: '0.0.0.0/0' }] });
    mocks.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: GROUP_ID }] });

    expect(await securityGroups.prefixListRanges('pl-1')).to.deep.equal(['0.0.0.0/0']);
    expect(await securityGroups.groupIdOf('default')).to.equal(GROUP_ID);
    mocks.ec2.on(DescribeSecurityGroupsCommand).rejects(ec2Error('InvalidGroup.NotFound'));
    expect(await securityGroups.groupIdOf('gone')).to.equal(undefined);
  });
});
