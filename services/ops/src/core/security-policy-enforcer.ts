import type { SecurityFinding } from '@serverless-patterns/shared/schemas/api';
import {
  type AppliedIngressChange,
  type FindingAction,
  findWorldOpenRules,
  type IngressChange,
  type SecurityGroupPolicy,
  toFindings,
  type WorldOpenRule,
} from './security-group-policy';

export const ENFORCEMENT_MODES = ['revoke', 'report'] as const;
export type EnforcementMode = (typeof ENFORCEMENT_MODES)[number];

export interface SecurityGroups {
  /** Removes exactly this ingress rule; `already-absent` when the group no longer has it. */
  revokeIngress(groupId: string, rule: WorldOpenRule): Promise<'revoked' | 'already-absent'>;
}

export interface AuditLog {
  /**
   * Writes the audit entry for a finding, unless an entry whose alert was sent already exists
   * (`already-notified`): that is how a replayed event is recognised and left alone.
   */
  record(finding: SecurityFinding, state: { notified: boolean }): Promise<'written' | 'already-notified'>;
}

export interface SecurityAlert {
  kind: 'security-finding';
  subject: string;
  message: string;
}

export interface Notifier {
  publish(alert: SecurityAlert): Promise<void>;
}

export interface SecurityPolicyEnforcerOptions {
  securityGroups: SecurityGroups;
  auditLog: AuditLog;
  notifier: Notifier;
  mode: EnforcementMode;
  policy: SecurityGroupPolicy;
}

export interface EnforcementOutcome {
  /** Every finding in the event, including those already handled by an earlier delivery. */
  findings: SecurityFinding[];
  /** Findings recorded and alerted by this invocation (empty for a replay). */
  notified: SecurityFinding[];
  /** Rules this invocation removed. */
  revoked: number;
  /** Rules that were already gone when this invocation tried to remove them. */
  alreadyAbsent: number;
}

const NOTHING_DONE: EnforcementOutcome = { findings: [], notified: [], revoked: 0, alreadyAbsent: 0 };

/**
 * Enforces the security-group policy on one AuthorizeSecurityGroupIngress call: revokes (or, in report
 * mode, only reports) world-open rules on forbidden ports, keeps an audit entry per rule and alerts once.
 * Safe to run again on the same event: revoking and recording are idempotent, and the alert is skipped
 * once the audit log says it was sent.
 */
export function createSecurityPolicyEnforcer(options: SecurityPolicyEnforcerOptions) {
  const { securityGroups, auditLog, notifier, mode, policy } = options;

  return {
    mode,
    async enforce(change: IngressChange): Promise<EnforcementOutcome> {
      if (change.outcome === 'failed') return NOTHING_DONE;
      const rules = findWorldOpenRules(change.permissions, policy);
      if (rules.length === 0) return NOTHING_DONE;

      // Revoke before anything else: closing the port matters more than the audit trail or the alert.
      let revoked = 0;
      let alreadyAbsent = 0;
      if (mode === 'revoke') {
        for (const rule of rules) {
          const result = await securityGroups.revokeIngress(change.groupId, rule);
          if (result === 'revoked') revoked += 1;
          else alreadyAbsent += 1;
        }
      }

      const action: FindingAction = mode === 'revoke' ? 'REVOKED' : 'REPORTED';
      const findings = toFindings(change, rules, action);
      const pending: SecurityFinding[] = [];
      for (const finding of findings) {
        if ((await auditLog.record(finding, { notified: false })) === 'written') pending.push(finding);
      }
      if (pending.length > 0) {
        await notifier.publish(describeFindings(change, pending, action));
        // Only now is the entry final: a crash before this line alerts again on retry rather than never.
        for (const finding of pending) await auditLog.record(finding, { notified: true });
      }
      return { findings, notified: pending, revoked, alreadyAbsent };
    },
  };
}

export type SecurityPolicyEnforcer = ReturnType<typeof createSecurityPolicyEnforcer>;

export function describeFindings(
  change: AppliedIngressChange,
  findings: readonly SecurityFinding[],
  action: FindingAction,
): SecurityAlert {
  const count =
    findings.length === 1 ? '1 world-open ingress rule' : `${findings.length} world-open ingress rules`;
  const subject =
    action === 'REVOKED' ? `Revoked ${count} on ${change.groupId}` : `Found ${count} on ${change.groupId}`;
  const where = change.accountId === undefined ? change.region : `${change.accountId}, ${change.region}`;
  const who = change.actor === undefined ? '' : ` by ${change.actor}`;
  const outcome =
    action === 'REVOKED'
      ? 'These rules have been revoked:'
      : 'Enforcement is in report mode: these rules are still open and need a person to remove them:';
  const lines = findings.map((finding) => {
    const rule = finding.ruleId === undefined ? '' : ` [${finding.ruleId}]`;
    return `- ${finding.reason}${rule} (finding ${finding.findingId})`;
  });
  const message = [
    `Security group ${change.groupId} (${where}) was opened to the internet${who} at ${change.eventTime}.`,
    '',
    outcome,
    ...lines,
    '',
    `CloudTrail event: ${change.eventId}`,
  ].join('\n');
  return { kind: 'security-finding', subject, message };
}
