import { EC2ServiceException, RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { ec2 } from '@serverless-patterns/shared/clients/ec2';
import { commandsSent, mockClientsInEachTest } from '@serverless-patterns/shared/testing';
import { expect } from 'chai';
import { createSecurityGroups } from '../../../src/adapters/security-groups';
import type { WorldOpenRule } from '../../../src/core/security-group-policy';

const GROUP_ID = 'sg-0a1b2c3d4e5f67890';
const ssh: WorldOpenRule = {
  protocol: 'tcp',
  fromPort: 22,
  toPort: 22,
  cidr: '0.0.0.0/0',
  exposedPorts: [22],
};

const ec2Error = (name: string) =>
  new EC2ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 400 }, message: name });

describe('security groups adapter', () => {
  const mocks = mockClientsInEachTest({ ec2 });
  const securityGroups = createSecurityGroups();
  const revokedPermissions = () =>
    mocks.ec2.commandCalls(RevokeSecurityGroupIngressCommand)[0]?.args[0].input.IpPermissions;

  beforeEach(() => {
    mocks.ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
  });

  it('revokes exactly the offending IPv4 rule', async () => {
    // Act
    const result = await securityGroups.revokeIngress(GROUP_ID, ssh);

    // Assess
    expect(result).to.equal('revoked');
    expect(commandsSent(mocks.ec2)).to.deep.equal([
      {
        name: 'RevokeSecurityGroupIngressCommand',
        input: {
          GroupId: GROUP_ID,
          IpPermissions: [
            { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
          ],
        },
      },
    ]);
  });

  it('revokes an IPv6 rule through its IPv6 range', async () => {
    // Act
    await securityGroups.revokeIngress(GROUP_ID, { ...ssh, cidr: '::/0' });

    // Assess
    expect(revokedPermissions()).to.deep.equal([
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
    ]);
  });

  it('sends no ports for an all-traffic rule', async () => {
    // Act
    await securityGroups.revokeIngress(GROUP_ID, { ...ssh, protocol: '-1', fromPort: -1, toPort: -1 });

    // Assess
    expect(revokedPermissions()).to.deep.equal([{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }]);
  });

  it('treats InvalidPermission.NotFound as already revoked', async () => {
    // Prepare
    mocks.ec2.on(RevokeSecurityGroupIngressCommand).rejects(ec2Error('InvalidPermission.NotFound'));

    // Act
    const result = await securityGroups.revokeIngress(GROUP_ID, ssh);

    // Assess
    expect(result).to.equal('already-absent');
  });

  it('treats a rule EC2 reports as unknown (default VPC) as already revoked', async () => {
    // Prepare
    const unknown = [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }];
    mocks.ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true, UnknownIpPermissions: unknown });

    // Act
    const result = await securityGroups.revokeIngress(GROUP_ID, ssh);

    // Assess
    expect(result).to.equal('already-absent');
  });

  it('lets any other failure through, so that the event is retried', async () => {
    // Prepare
    mocks.ec2.on(RevokeSecurityGroupIngressCommand).rejects(ec2Error('UnauthorizedOperation'));

    // Act
    const attempt = securityGroups.revokeIngress(GROUP_ID, ssh);

    // Assess
    await attempt.then(
      () => expect.fail('expected the revoke to fail'),
      (error: unknown) => expect(error).to.have.property('name', 'UnauthorizedOperation'),
    );
  });
});
