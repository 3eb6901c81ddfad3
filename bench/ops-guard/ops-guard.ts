import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupRulesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { clientConfig, startCloudProcess } from '@serverless-patterns/local/testing';
import { formatMs, percentile, table } from '../lib/stats';

/**
 * R6, the guard's latency: from a world-open PostgreSQL rule added with the real SDK against the local
 * EC2 (moto behind the CloudTrail proxy) to the moment the rule is gone, as an operator polling
 * DescribeSecurityGroupRules sees it. Rules are opened one after another, each once the previous one was
 * revoked. The path: the proxy's CloudTrail event, the local bus, the rule, enforceSecurityGroupPolicy
 * (DescribeSecurityGroupRules, RevokeSecurityGroupIngress by rule id, the audit entry, the alert). The
 * baseline is the AuthorizeSecurityGroupIngress call alone. Goal: p99 within 5 s.
 */
const RULES = Number(process.env.BENCH_RULES ?? 100);
const GOAL_P99_MS = 5_000;
const POLL_MS = 5;

async function main() {
  const stateDir = await mkdtemp(join(tmpdir(), 'bench-ops-guard-'));
  const cloud = await startCloudProcess({ stateDir });
  const { description } = cloud;
  const ec2 = new EC2Client(clientConfig(description, description.endpoints.ec2 as string));
  try {
    const { GroupId } = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: `bench-${Date.now()}`, Description: 'R6 benchmark' }),
    );
    const groupId = GroupId as string;
    const untilRevoked: number[] = [];
    const authorizeCalls: number[] = [];
    // A few warm-up rules: the first invocation of the function bundles and loads it.
    for (let i = -3; i < RULES; i++) {
      const sentAt = performance.now();
      const { SecurityGroupRules = [] } = await ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: groupId,
          IpPermissions: [
            { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
          ],
        }),
      );
      const answeredAt = performance.now();
      const ruleId = SecurityGroupRules[0]?.SecurityGroupRuleId as string;
      await revoked(ec2, groupId, ruleId);
      if (i >= 0) {
        untilRevoked.push(performance.now() - sentAt);
        authorizeCalls.push(answeredAt - sentAt);
      }
    }
    const baseline = percentile(authorizeCalls, 50);
    const row = (name: string, samples: number[]) => [
      name,
      formatMs(percentile(samples, 50)),
      formatMs(percentile(samples, 99)),
      `${(percentile(samples, 50) / baseline).toFixed(1)}x`,
    ];
    const p99 = percentile(untilRevoked, 99);
    console.log(`ops-guard (R6): ${RULES} world-open PostgreSQL rules, opened one after another`);
    console.log(
      table([
        ['path', 'p50', 'p99', 'ratio to the API call'],
        row('AuthorizeSecurityGroupIngress -> rule revoked', untilRevoked),
        row('AuthorizeSecurityGroupIngress call alone (baseline)', authorizeCalls),
      ]),
    );
    console.log(`goal: p99 <= ${formatMs(GOAL_P99_MS)}: ${p99 <= GOAL_P99_MS ? 'met' : 'NOT met'}`);
  } finally {
    ec2.destroy();
    await cloud.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

async function revoked(ec2: EC2Client, groupId: string, ruleId: string): Promise<void> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    const { SecurityGroupRules = [] } = await ec2.send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }),
    );
    if (!SecurityGroupRules.some((rule) => rule.SecurityGroupRuleId === ruleId)) return;
    if (performance.now() > deadline) throw new Error(`rule ${ruleId} was never revoked`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
