import {
  DescribeSecurityGroupsCommand,
  type EC2Client,
  paginateDescribeSecurityGroupRules,
  paginateGetManagedPrefixListEntries,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import type { RuleSource } from '../core/security-group-events';
import { normalizeProtocol } from '../core/security-group-events';
import type { CurrentRule, SecurityGroups } from '../core/security-policy-enforcer';

/**
 * The security groups of one account and region. Rules are read (DescribeSecurityGroupRules) and
 * revoked by their ids, so that exactly the offending rule goes, whatever else the group holds.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RevokeSecurityGroupIngress.html
 */
export function createSecurityGroups({ client }: { client: EC2Client }): SecurityGroups {
  return {
    async groupIdOf(groupName) {
      try {
        const { SecurityGroups = [] } = await client.send(
          new DescribeSecurityGroupsCommand({ GroupNames: [groupName] }),
        );
        return SecurityGroups[0]?.GroupId;
      } catch (error) {
        if (isNamed(error, 'InvalidGroup.NotFound')) return undefined;
        throw error;
      }
    },
    async prefixListRanges(prefixListId) {
      const ranges: string[] = [];
      const pages = paginateGetManagedPrefixListEntries({ client }, { PrefixListId: prefixListId });
      for await (const page of pages) {
        for (const entry of page.Entries ?? []) if (entry.Cidr !== undefined) ranges.push(entry.Cidr);
      }
      return ranges;
    },
    async ingressRulesOf(groupId) {
      const rules: CurrentRule[] = [];
      const pages = paginateDescribeSecurityGroupRules(
        { client },
        { Filters: [{ Name: 'group-id', Values: [groupId] }] },
      );
      for await (const page of pages) {
        for (const rule of page.SecurityGroupRules ?? []) {
          const current = toCurrentRule(rule);
          if (current !== undefined) rules.push(current);
        }
      }
      return rules;
    },
    async revokeRule(groupId, ruleId) {
      try {
        const output = await client.send(
          new RevokeSecurityGroupIngressCommand({ GroupId: groupId, SecurityGroupRuleIds: [ruleId] }),
        );
        return (output.UnknownIpPermissions?.length ?? 0) > 0 ? 'already-absent' : 'revoked';
      } catch (error) {
        if (
          isNamed(error, 'InvalidPermission.NotFound') ||
          isNamed(error, 'InvalidSecurityGroupRuleId.NotFound')
        )
          return 'already-absent';
        throw error;
      }
    },
  };
}

function toCurrentRule(rule: SecurityGroupRule): CurrentRule | undefined {
  if (rule.IsEgress === true || rule.SecurityGroupRuleId === undefined || rule.IpProtocol === undefined) {
    return undefined;
  }
  const cidr = rule.CidrIpv4 ?? rule.CidrIpv6;
  const source: RuleSource =
    cidr !== undefined
      ? { kind: 'cidr', cidr }
      : rule.PrefixListId !== undefined
        ? { kind: 'prefix-list', prefixListId: rule.PrefixListId }
        : { kind: 'security-group', groupId: rule.ReferencedGroupInfo?.GroupId ?? '' };
  const protocol = normalizeProtocol(rule.IpProtocol);
  const allTraffic = protocol === '-1';
  return {
    ruleId: rule.SecurityGroupRuleId,
    protocol,
    fromPort: allTraffic ? -1 : (rule.FromPort ?? -1),
    toPort: allTraffic ? -1 : (rule.ToPort ?? -1),
    source,
  };
}

function isNamed(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}
