import type { SecurityFinding } from '@serverless-patterns/shared/schemas/api';
import { expect } from 'chai';
import {
  type AppliedSecurityGroupChange,
  isSameRule,
  parseSecurityGroupChange,
} from '../../../src/core/security-group-events';
import { DEFAULT_FORBIDDEN_PORTS, DEFAULT_WORLD_OPEN_SHARE } from '../../../src/core/security-group-policy';
import {
  type AuditLog,
  type CurrentRule,
  createSecurityPolicyEnforcer,
  type EnforcementMode,
  type Notifier,
  type SecurityAlert,
  type SecurityGroups,
} from '../../../src/core/security-policy-enforcer';
import {
  authorizeIngressDetail,
  type CloudTrailIpPermission,
  GROUP_ID,
  worldOpenSsh,
} from '../authorize-ingress-records';
import { sampleDetail } from '../cloudtrail-samples';

/** One account and region's groups: the rules an event added stay until they are revoked. */
class FakeSecurityGroups implements SecurityGroups {
  readonly rules = new Map<string, CurrentRule[]>();
  readonly prefixLists = new Map<string, string[]>();
  readonly names = new Map<string, string>();
  readonly revokeCalls: string[] = [];

  async groupIdOf(groupName: string) {
    return this.names.get(groupName);
  }
  async prefixListRanges(prefixListId: string) {
    return this.prefixLists.get(prefixListId) ?? [];
  }
  async ingressRulesOf(groupId: string) {
    return [...(this.rules.get(groupId) ?? [])];
  }
  async revokeRule(groupId: string, ruleId: string) {
    this.revokeCalls.push(`${groupId} ${ruleId}`);
    const rules = this.rules.get(groupId) ?? [];
    const kept = rules.filter((rule) => rule.ruleId !== ruleId);
    this.rules.set(groupId, kept);
    return kept.length < rules.length ? ('revoked' as const) : ('already-absent' as const);
  }
  /** What EC2 holds after the call: its rules, with ids. */
  hold(change: AppliedSecurityGroupChange, groupId = change.group.groupId ?? '') {
    const held = this.rules.get(groupId) ?? [];
    change.rules.forEach((rule, index) => {
      if (!held.some((other) => isSameRule(other, rule)))
        held.push({ ...rule, ruleId: rule.ruleId ?? `sgr-held${index}` });
    });
    this.rules.set(groupId, held);
  }
}

/** Keeps the same rule as the DynamoDB condition: a write goes through while the alert is unsent. */
class FakeAuditLog implements AuditLog {
  readonly entries = new Map<string, SecurityFinding & { notified: boolean }>();

  async record(finding: SecurityFinding, { notified }: { notified: boolean }) {
    if (this.entries.get(finding.findingId)?.notified === true) return 'already-notified' as const;
    this.entries.set(finding.findingId, { ...finding, notified });
    return 'written' as const;
  }
}

class FakeNotifier implements Notifier {
  readonly alerts: SecurityAlert[] = [];
  failuresLeft = 0;

  async publish(alert: SecurityAlert) {
    if (this.failuresLeft > 0) {
      this.failuresLeft -= 1;
      throw new Error('SNS is unavailable');
    }
    this.alerts.push(alert);
  }
}

function setUp(mode: EnforcementMode = 'revoke') {
  const groups = new FakeSecurityGroups();
  const auditLog = new FakeAuditLog();
  const notifier = new FakeNotifier();
  const asked: { accountId?: string; region: string }[] = [];
  const enforcer = createSecurityPolicyEnforcer({
    securityGroupsIn: (where) => {
      asked.push(where);
      return groups;
    },
    auditLog,
    notifier,
    mode,
    policy: { forbiddenPorts: DEFAULT_FORBIDDEN_PORTS, worldOpenShare: DEFAULT_WORLD_OPEN_SHARE },
  });
  const applied = (detail: unknown) => parseSecurityGroupChange(detail) as AppliedSecurityGroupChange;
  /** Delivers the event of a call whose rules EC2 now holds. */
  const deliver = (detail: unknown = authorizeIngressDetail()) => {
    const change = applied(detail);
    groups.hold(change);
    return enforcer.enforce(change);
  };
  return { groups, auditLog, notifier, enforcer, deliver, asked, applied };
}

const postgresToHalfTheWorld: CloudTrailIpPermission = {
  ipProtocol: 'tcp',
  fromPort: 5432,
  toPort: 5432,
  ipRanges: { items: [{ cidrIp: '0.0.0.0/1' }, { cidrIp: '128.0.0.0/1' }, { cidrIp: '10.0.0.0/8' }] },
  ipv6Ranges: { items: [{ cidrIpv6: '2000::/3' }] },
};

describe('security policy enforcer', () => {
  it('revokes SSH opened to the world by its rule id, records it and alerts once', async () => {
    const { groups, auditLog, notifier, deliver } = setUp();

    const outcome = await deliver();

    expect(groups.revokeCalls).to.deep.equal([`${GROUP_ID} sgr-0c2f4e6a8b0d1f301`]);
    expect(groups.rules.get(GROUP_ID)).to.deep.equal([]);
    expect(outcome).to.include({ revoked: 1, alreadyAbsent: 0 });
    expect([...auditLog.entries.values()][0]).to.include({
      groupId: GROUP_ID,
      ruleId: 'sgr-0c2f4e6a8b0d1f301',
      action: 'REVOKED',
      notified: true,
    });
    expect(notifier.alerts.map((alert) => alert.subject)).to.deep.equal([
      `Revoked 1 world-open ingress rule on ${GROUP_ID}`,
    ]);
  });

  it('revokes exactly the world-open rules: halves of the internet and 2000::/3, not the private /8', async () => {
    const { groups, deliver } = setUp();

    const outcome = await deliver(authorizeIngressDetail({ permissions: [postgresToHalfTheWorld] }));

    expect(outcome.revoked).to.equal(3);
    expect(groups.rules.get(GROUP_ID)?.map((rule) => rule.source)).to.deep.equal([
      { kind: 'cidr', cidr: '10.0.0.0/8' },
    ]);
  });

  it('changes nothing on a replay: no second revocation counted, no second alert', async () => {
    const { groups, notifier, deliver, enforcer, applied } = setUp();
    await deliver();

    const replay = await enforcer.enforce(applied(authorizeIngressDetail()));

    expect(replay).to.include({ revoked: 0, alreadyAbsent: 1 });
    expect(replay.notified).to.deep.equal([]);
    expect(groups.revokeCalls).to.have.length(1);
    expect(notifier.alerts).to.have.length(1);
  });

  it('alerts again on retry when the alert failed, so a finding is never left unannounced', async () => {
    const { notifier, deliver, enforcer, applied } = setUp();
    notifier.failuresLeft = 1;

    await deliver().catch(() => undefined);
    await enforcer.enforce(applied(authorizeIngressDetail()));

    expect(notifier.alerts).to.have.length(1);
  });

  it('in report mode, alerts and records without revoking', async () => {
    const { groups, auditLog, notifier, deliver } = setUp('report');

    const outcome = await deliver();

    expect(groups.revokeCalls).to.deep.equal([]);
    expect(outcome.revoked).to.equal(0);
    expect([...auditLog.entries.values()][0]?.action).to.equal('REPORTED');
    expect(notifier.alerts[0]?.subject).to.equal(`Found 1 world-open ingress rule on ${GROUP_ID}`);
  });

  it('finds the rule by its properties when the record has no rule id (pre-2021), and revokes that id', async () => {
    const { groups, deliver } = setUp();
    const detail = sampleDetail('ec2-AuthorizeSecurityGroupIngress-ipv4-world-port22.json');

    const outcome = await deliver(detail);

    expect(outcome.revoked).to.equal(1);
    expect(groups.revokeCalls[0]).to.match(/ sgr-held0$/);
  });

  it('revokes the legacy top-level form (the real stratus-red-team record)', async () => {
    const { groups, deliver } = setUp();

    const outcome = await deliver(
      sampleDetail('ec2-AuthorizeSecurityGroupIngress-toplevel-cidrIp-port22.json'),
    );

    expect(outcome.revoked).to.equal(1);
    expect(groups.revokeCalls).to.deep.equal(['sg-003dc7f1f1c686164 sgr-09b3e3d2ca1edf2a2']);
  });

  it('leaves a rule narrowed since the event alone: it reads the rule before revoking it', async () => {
    const { groups, enforcer, applied } = setUp();
    const change = applied(authorizeIngressDetail());
    groups.rules.set(GROUP_ID, [
      {
        ruleId: 'sgr-0c2f4e6a8b0d1f301',
        protocol: 'tcp',
        fromPort: 22,
        toPort: 22,
        source: { kind: 'cidr', cidr: '10.0.0.0/8' },
      },
    ]);

    const outcome = await enforcer.enforce(change);

    expect(groups.revokeCalls).to.deep.equal([]);
    expect(outcome).to.include({ revoked: 0, alreadyAbsent: 1 });
  });

  it('revokes a rule edited to 0.0.0.0/0 (ModifySecurityGroupRules)', async () => {
    const { groups, deliver } = setUp();
    const detail = {
      ...authorizeIngressDetail(),
      eventName: 'ModifySecurityGroupRules',
      requestParameters: {
        ModifySecurityGroupRulesRequest: {
          GroupId: GROUP_ID,
          SecurityGroupRule: {
            SecurityGroupRuleId: 'sgr-0aaaabbbbccccdddd',
            SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 3306, ToPort: 3306, CidrIpv4: '0.0.0.0/0' },
            tag: 1,
          },
        },
      },
      responseElements: { ModifySecurityGroupRulesResponse: { return: true } },
    };

    const outcome = await deliver(detail);

    expect(outcome.revoked).to.equal(1);
    expect(groups.revokeCalls).to.deep.equal([`${GROUP_ID} sgr-0aaaabbbbccccdddd`]);
  });

  it('revokes a rule whose prefix list holds a world-open range', async () => {
    const { groups, deliver } = setUp();
    groups.prefixLists.set('pl-0123456789abcdef0', ['192.0.2.0/24', '0.0.0.0/0']);
    const detail = authorizeIngressDetail({
      permissions: [
        {
          ipProtocol: 'tcp',
          fromPort: 22,
          toPort: 22,
          prefixListIds: { items: [{ prefixListId: 'pl-0123456789abcdef0' }] },
        },
      ],
    });

    const outcome = await deliver(detail);

    expect(outcome.revoked).to.equal(1);
    expect(outcome.findings[0]?.cidr).to.equal('pl-0123456789abcdef0 (0.0.0.0/0)');
  });

  it('looks a group up by name when the call named it, and skips a group that is gone', async () => {
    const { groups, enforcer, applied } = setUp();
    const named = authorizeIngressDetail();
    named.requestParameters = { groupName: 'default', ipPermissions: { items: [worldOpenSsh()] } };
    named.responseElements = { _return: true };
    groups.names.set('default', GROUP_ID);

    groups.hold(applied(named), GROUP_ID);

    expect((await enforcer.enforce(applied(named))).revoked).to.equal(1);
    groups.names.clear();
    expect((await enforcer.enforce(applied(named))).skipped).to.equal('group-gone');
  });

  it('acts in the account and region of the call', async () => {
    const { asked, deliver } = setUp();

    await deliver();

    expect(asked).to.deep.equal([{ accountId: '123456789012', region: 'eu-west-1' }]);
  });

  it('ignores, explicitly, a call that failed', async () => {
    const { enforcer, groups } = setUp();

    const outcome = await enforcer.enforce({
      outcome: 'failed',
      eventName: 'AuthorizeSecurityGroupIngress',
      eventId: 'e',
      errorCode: 'Client.InvalidGroup.NotFound',
    });

    expect(outcome.skipped).to.equal('failed-call');
    expect(groups.revokeCalls).to.deep.equal([]);
  });

  it('finds nothing in the private and narrow real samples', async () => {
    for (const file of [
      'ec2-AuthorizeSecurityGroupIngress-ipv4-port22-cidr24-rulearn.json',
      'ec2-AuthorizeSecurityGroupIngress-rfc1918-negative-redacted-eventbridge.json',
    ]) {
      const { deliver } = setUp();
      expect((await deliver(sampleDetail(file))).findings, file).to.deep.equal([]);
    }
  });
});
