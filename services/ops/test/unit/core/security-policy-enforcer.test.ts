import type { SecurityFinding } from '@serverless-patterns/shared/schemas/api';
import { expect } from 'chai';
import {
  DEFAULT_FORBIDDEN_PORTS,
  parseIngressFromCloudTrail,
  type WorldOpenRule,
} from '../../../src/core/security-group-policy';
import {
  type AuditLog,
  createSecurityPolicyEnforcer,
  type EnforcementMode,
  type Notifier,
  type SecurityAlert,
  type SecurityGroups,
} from '../../../src/core/security-policy-enforcer';
import {
  authorizeIngressDetail,
  type CloudTrailIpPermission,
  failedAuthorizeIngressDetail,
  GROUP_ID,
  worldOpenSsh,
} from '../authorize-ingress-records';

const ruleKey = (groupId: string, rule: WorldOpenRule) =>
  `${groupId} ${rule.protocol} ${rule.fromPort}-${rule.toPort} ${rule.cidr}`;

/** A security group that holds the rules an event added until they are revoked. */
class FakeSecurityGroups implements SecurityGroups {
  readonly open = new Set<string>();
  readonly revokeCalls: string[] = [];

  async revokeIngress(groupId: string, rule: WorldOpenRule) {
    const key = ruleKey(groupId, rule);
    this.revokeCalls.push(key);
    return this.open.delete(key) ? ('revoked' as const) : ('already-absent' as const);
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
  const securityGroups = new FakeSecurityGroups();
  const auditLog = new FakeAuditLog();
  const notifier = new FakeNotifier();
  const enforcer = createSecurityPolicyEnforcer({
    securityGroups,
    auditLog,
    notifier,
    mode,
    policy: { forbiddenPorts: DEFAULT_FORBIDDEN_PORTS },
  });
  /** Delivers the event of a call that added these rules, as EC2 would have them. */
  const deliver = (permissions: CloudTrailIpPermission[] = [worldOpenSsh()]) => {
    const change = parseIngressFromCloudTrail(authorizeIngressDetail({ permissions }));
    if (change.outcome === 'applied') {
      for (const permission of change.permissions) {
        for (const cidr of [...permission.ipv4Ranges, ...permission.ipv6Ranges]) {
          securityGroups.open.add(ruleKey(change.groupId, { ...permission, cidr, exposedPorts: [] }));
        }
      }
    }
    return enforcer.enforce(change);
  };
  return { securityGroups, auditLog, notifier, enforcer, deliver };
}

const postgresToTheWorld: CloudTrailIpPermission = {
  ipProtocol: 'tcp',
  fromPort: 5432,
  toPort: 5432,
  ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] },
  ipv6Ranges: { items: [{ cidrIpv6: '::/0' }] },
};

describe('security policy enforcer', () => {
  describe('in revoke mode', () => {
    it('revokes SSH opened to the world, records it and alerts', async () => {
      // Prepare
      const { securityGroups, auditLog, notifier, deliver } = setUp();

      // Act
      const outcome = await deliver();

      // Assess
      expect(securityGroups.open).to.be.empty;
      expect(outcome).to.include({ revoked: 1, alreadyAbsent: 0 });
      const [entry] = [...auditLog.entries.values()];
      expect(entry).to.include({ groupId: GROUP_ID, cidr: '0.0.0.0/0', action: 'REVOKED', notified: true });
      expect(notifier.alerts).to.have.length(1);
      expect(notifier.alerts[0]).to.include({
        kind: 'security-finding',
        subject: `Revoked 1 world-open ingress rule on ${GROUP_ID}`,
      });
    });

    it('sends one alert for all the rules of an event', async () => {
      // Prepare
      const { securityGroups, auditLog, notifier, deliver } = setUp();

      // Act
      const outcome = await deliver([worldOpenSsh(), postgresToTheWorld]);

      // Assess
      expect(outcome.revoked).to.equal(3);
      expect(securityGroups.open).to.be.empty;
      expect(auditLog.entries.size).to.equal(3);
      expect(notifier.alerts).to.have.length(1);
      expect(notifier.alerts[0]?.subject).to.equal(`Revoked 3 world-open ingress rules on ${GROUP_ID}`);
    });

    it('names the caller, the rules and the event in the alert', async () => {
      // Prepare
      const { notifier, deliver } = setUp();

      // Act
      await deliver();

      // Assess
      const message = notifier.alerts[0]?.message ?? '';
      expect(message).to.include(
        `Security group ${GROUP_ID} (123456789012, eu-west-1) was opened to the internet`,
      );
      expect(message).to.include('by arn:aws:sts::123456789012:assumed-role/Developers/alice');
      expect(message).to.include('- tcp 22 is open to 0.0.0.0/0, exposing SSH (22) [sgr-0c2f4e6a8b0d1f301]');
      expect(message).to.include('CloudTrail event: ');
    });

    it('leaves compliant rules alone and stays silent', async () => {
      // Prepare
      const { securityGroups, auditLog, notifier, deliver } = setUp();
      const https = { ...worldOpenSsh(), fromPort: 443, toPort: 443 };

      // Act
      const outcome = await deliver([https]);

      // Assess
      expect(outcome.findings).to.be.empty;
      expect(securityGroups.revokeCalls).to.be.empty;
      expect(auditLog.entries.size).to.equal(0);
      expect(notifier.alerts).to.be.empty;
    });

    it('revokes only the world-open rule of a mixed event', async () => {
      // Prepare
      const { securityGroups, deliver } = setUp();
      const sshFromOffice = { ...worldOpenSsh(), ipRanges: { items: [{ cidrIp: '198.51.100.0/24' }] } };

      // Act
      await deliver([sshFromOffice, postgresToTheWorld]);

      // Assess
      expect([...securityGroups.open]).to.deep.equal([`${GROUP_ID} tcp 22-22 198.51.100.0/24`]);
    });

    it('does nothing for a call that EC2 refused', async () => {
      // Prepare
      const { securityGroups, auditLog, notifier, enforcer } = setUp();

      // Act
      const outcome = await enforcer.enforce(parseIngressFromCloudTrail(failedAuthorizeIngressDetail()));

      // Assess
      expect(outcome.findings).to.be.empty;
      expect(securityGroups.revokeCalls).to.be.empty;
      expect(auditLog.entries.size).to.equal(0);
      expect(notifier.alerts).to.be.empty;
    });
  });

  describe('in report mode', () => {
    it('records and alerts but leaves the rule open', async () => {
      // Prepare
      const { securityGroups, auditLog, notifier, deliver } = setUp('report');

      // Act
      const outcome = await deliver();

      // Assess
      expect(securityGroups.revokeCalls).to.be.empty;
      expect(securityGroups.open.size).to.equal(1);
      expect(outcome.revoked).to.equal(0);
      expect([...auditLog.entries.values()][0]).to.include({ action: 'REPORTED', notified: true });
      expect(notifier.alerts[0]?.subject).to.equal(`Found 1 world-open ingress rule on ${GROUP_ID}`);
      expect(notifier.alerts[0]?.message).to.include('report mode: these rules are still open');
    });
  });

  describe('on a replayed event', () => {
    it('changes nothing and alerts no one the second time', async () => {
      // Prepare
      const { securityGroups, auditLog, notifier, enforcer } = setUp();
      const change = parseIngressFromCloudTrail(authorizeIngressDetail());
      securityGroups.open.add(`${GROUP_ID} tcp 22-22 0.0.0.0/0`);
      await enforcer.enforce(change);
      const entriesAfterFirst = structuredClone([...auditLog.entries]);

      // Act
      const replay = await enforcer.enforce(change);

      // Assess
      expect(replay).to.include({ revoked: 0, alreadyAbsent: 1 });
      expect(replay.notified).to.be.empty;
      expect([...auditLog.entries]).to.deep.equal(entriesAfterFirst);
      expect(notifier.alerts).to.have.length(1);
    });

    it('still alerts when the first delivery failed before the alert went out', async () => {
      // Prepare
      const { securityGroups, auditLog, notifier, enforcer } = setUp();
      const change = parseIngressFromCloudTrail(authorizeIngressDetail());
      securityGroups.open.add(`${GROUP_ID} tcp 22-22 0.0.0.0/0`);
      notifier.failuresLeft = 1;
      const firstDelivery = await enforcer.enforce(change).catch((error: unknown) => error);

      // Act
      const retry = await enforcer.enforce(change);

      // Assess
      expect(firstDelivery).to.be.an('error').with.property('message', 'SNS is unavailable');
      expect(securityGroups.open).to.be.empty;
      expect(retry.notified).to.have.length(1);
      expect(notifier.alerts).to.have.length(1);
      expect([...auditLog.entries.values()][0]).to.include({ notified: true });
    });
  });
});
