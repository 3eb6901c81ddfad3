import { type EC2Client, type IpPermission, RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { ec2 } from '@serverless-patterns/shared/clients/ec2';
import type { WorldOpenRule } from '../core/security-group-policy';
import type { SecurityGroups } from '../core/security-policy-enforcer';

/**
 * Revokes one rule per call, described by its exact properties, so that one rule already gone cannot
 * stop the others from being revoked. EC2 reports a rule that no longer exists in two ways: as an
 * `InvalidPermission.NotFound` error (non-default VPC) or in `UnknownIpPermissions` (default VPC).
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RevokeSecurityGroupIngress.html
 */
export function createSecurityGroups({ client = ec2 }: { client?: EC2Client } = {}): SecurityGroups {
  return {
    async revokeIngress(groupId, rule) {
      try {
        const output = await client.send(
          new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [toIpPermission(rule)] }),
        );
        return (output.UnknownIpPermissions?.length ?? 0) > 0 ? 'already-absent' : 'revoked';
      } catch (error) {
        if (error instanceof Error && error.name === 'InvalidPermission.NotFound') return 'already-absent';
        throw error;
      }
    },
  };
}

export function toIpPermission(rule: WorldOpenRule): IpPermission {
  const isIpv6 = rule.cidr.includes(':');
  return {
    IpProtocol: rule.protocol,
    // All-traffic rules have no ports; EC2 ignores any given, so none are sent.
    ...(rule.protocol === '-1' ? {} : { FromPort: rule.fromPort, ToPort: rule.toPort }),
    ...(isIpv6 ? { Ipv6Ranges: [{ CidrIpv6: rule.cidr }] } : { IpRanges: [{ CidrIp: rule.cidr }] }),
  };
}
