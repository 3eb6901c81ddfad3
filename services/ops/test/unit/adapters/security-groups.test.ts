import {
  EC2ServiceException,
  type RevokeSecurityGroupIngressCommand,
  type RevokeSecurityGroupIngressCommandInput,
  type RevokeSecurityGroupIngressCommandOutput,
} from '@aws-sdk/client-ec2';
import { expect } from 'chai';
import { createSecurityGroups, type RevokeIngressClient } from '../../../src/adapters/security-groups';
import type { WorldOpenRule } from '../../../src/core/security-group-policy';

const GROUP_ID = 'sg-0a1b2c3d4e5f67890';
const ssh: WorldOpenRule = {
  protocol: 'tcp',
  fromPort: 22,
  toPort: 22,
  cidr: '0.0.0.0/0',
  exposedPorts: [22],
};

function ec2Answering(answer: () => Promise<Partial<RevokeSecurityGroupIngressCommandOutput>>) {
  const sent: RevokeSecurityGroupIngressCommandInput[] = [];
  const client: RevokeIngressClient = {
    async send(command: RevokeSecurityGroupIngressCommand) {
      sent.push(command.input);
      return { $metadata: {}, ...(await answer()) };
    },
  };
  return { client, sent };
}

const ec2Error = (name: string) =>
  new EC2ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 400 }, message: name });

describe('security groups adapter', () => {
  it('revokes exactly the offending IPv4 rule', async () => {
    // Prepare
    const { client, sent } = ec2Answering(async () => ({ Return: true }));

    // Act
    const result = await createSecurityGroups(client).revokeIngress(GROUP_ID, ssh);

    // Assess
    expect(result).to.equal('revoked');
    expect(sent).to.deep.equal([
      {
        GroupId: GROUP_ID,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      },
    ]);
  });

  it('revokes an IPv6 rule through its IPv6 range', async () => {
    // Prepare
    const { client, sent } = ec2Answering(async () => ({ Return: true }));

    // Act
    await createSecurityGroups(client).revokeIngress(GROUP_ID, { ...ssh, cidr: '::/0' });

    // Assess
    expect(sent[0]?.IpPermissions).to.deep.equal([
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
    ]);
  });

  it('sends no ports for an all-traffic rule', async () => {
    // Prepare
    const { client, sent } = ec2Answering(async () => ({ Return: true }));

    // Act
    await createSecurityGroups(client).revokeIngress(GROUP_ID, {
      ...ssh,
      protocol: '-1',
      fromPort: -1,
      toPort: -1,
    });

    // Assess
    expect(sent[0]?.IpPermissions).to.deep.equal([{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }]);
  });

  it('treats InvalidPermission.NotFound as already revoked', async () => {
    // Prepare
    const { client } = ec2Answering(async () => {
      throw ec2Error('InvalidPermission.NotFound');
    });

    // Act
    const result = await createSecurityGroups(client).revokeIngress(GROUP_ID, ssh);

    // Assess
    expect(result).to.equal('already-absent');
  });

  it('treats a rule EC2 reports as unknown (default VPC) as already revoked', async () => {
    // Prepare
    const unknown = [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }];
    const { client } = ec2Answering(async () => ({ Return: true, UnknownIpPermissions: unknown }));

    // Act
    const result = await createSecurityGroups(client).revokeIngress(GROUP_ID, ssh);

    // Assess
    expect(result).to.equal('already-absent');
  });

  it('lets any other failure through, so that the event is retried', async () => {
    // Prepare
    const { client } = ec2Answering(async () => {
      throw ec2Error('UnauthorizedOperation');
    });

    // Act
    const attempt = createSecurityGroups(client).revokeIngress(GROUP_ID, ssh);

    // Assess
    await attempt.then(
      () => expect.fail('expected the revoke to fail'),
      (error: unknown) => expect(error).to.have.property('name', 'UnauthorizedOperation'),
    );
  });
});
