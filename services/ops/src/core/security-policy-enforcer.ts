import type { SecurityFinding } from '@serverless-patterns/shared/schemas/api';
import {
  type AppliedSecurityGroupChange,
  type IngressRule,
  isSameRule,
  type SecurityGroupChange,
} from './security-group-events';
import {
  type FindingAction,
  judgeRule,
  type SecurityGroupPolicy,
  toFinding,
  type WorldOpenRule,
} from './security-group-policy';

export const ENFORCEMENT_MODES = ['revoke', 'report'] as const;
export type EnforcementMode = (typeof ENFORCEMENT_MODES)[number];

/** An ingress rule as EC2 holds it now. */
export type CurrentRule = IngressRule & { ruleId: string };

/** EC2's security groups of one account and region. */
export interface SecurityGroups {
  /** The id of the group of that name in the default VPC, or undefined when there is none. */
  groupIdOf(groupName: string): Promise<string | undefined>;
  /** The CIDRs a managed prefix list holds. */
  prefixListRanges(prefixListId: string): Promise<string[]>;
  /** The group's ingress rules as they are now (read before any revocation). */
  ingressRulesOf(groupId: string): Promise<CurrentRule[]>;
  /** Removes exactly this rule, by its id; `already-absent` when the group no longer has it. */
  revokeRule(groupId: string, ruleId: string): Promise<'revoked' | 'already-absent'>;
}

export interface AuditLog {
  /**
   * Writes the audit entry for a finding, unless an entry whose alert was sent already exists
   * (`already-notified`): that is how a replayed event is recognised and left alone.
   */
  record(finding: SecurityFinding, state: { notified: boolean }): Promise<'written' | 'already-notified'>;
}

export interface SecurityAlert {
  kind: 'security-finding' | 'task-failure';
  subject: string;
  message: string;
}

export interface Notifier {
  publish(alert: SecurityAlert): Promise<void>;
}

export interface SecurityPolicyEnforcerOptions {
  /** The security groups of the account and region the call was made in (a member account's, assumed). */
  securityGroupsIn(where: { accountId?: string; region: string }): SecurityGroups;
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
  /** Rules already gone, or no longer world-open, when this invocation read them before revoking. */
  alreadyAbsent: number;
  /** Why nothing was checked: the call failed, or the group named no longer exists. */
  skipped?: 'failed-call' | 'group-gone';
}

const NOTHING_DONE: EnforcementOutcome = { findings: [], notified: [], revoked: 0, alreadyAbsent: 0 };

/**
 * Enforces the security-group policy on one AuthorizeSecurityGroupIngress or ModifySecurityGroupRules
 * call: revokes (or, in report mode, only reports) each world-open rule on a forbidden port, by its rule
 * id, keeps an audit entry per rule and alerts once. Each rule is read as it is now before it is revoked,
 * so a rule already removed or since narrowed is left alone. Safe to run again on the same event:
 * revoking and recording are idempotent, and the alert is skipped once the audit log says it was sent.
 */
export function createSecurityPolicyEnforcer(options: SecurityPolicyEnforcerOptions) {
  const { auditLog, notifier, mode, policy } = options;

  return {
    mode,
    async enforce(change: SecurityGroupChange): Promise<EnforcementOutcome> {
      if (change.outcome === 'failed') return { ...NOTHING_DONE, skipped: 'failed-call' };
      const securityGroups = options.securityGroupsIn({
        ...(change.accountId === undefined ? {} : { accountId: change.accountId }),
        region: change.region,
      });
      const groupId = change.group.groupId ?? (await securityGroups.groupIdOf(change.group.groupName ?? ''));
      if (groupId === undefined) return { ...NOTHING_DONE, skipped: 'group-gone' };

      const rangesOf = (rule: IngressRule) =>
        rule.source.kind === 'prefix-list'
          ? securityGroups.prefixListRanges(rule.source.prefixListId)
          : Promise.resolve([]);
      const offending: WorldOpenRule[] = [];
      for (const rule of change.rules) {
        const judged = judgeRule(rule, policy, await rangesOf(rule));
        if (judged !== undefined) offending.push(judged);
      }
      if (offending.length === 0) return NOTHING_DONE;

      // Revoke before anything else: closing the port matters more than the audit trail or the alert.
      const current = await securityGroups.ingressRulesOf(groupId);
      let revoked = 0;
      let alreadyAbsent = 0;
      const found = offending.map((rule) => {
        const now = current.find((candidate) =>
          rule.ruleId === undefined ? isSameRule(candidate, rule) : candidate.ruleId === rule.ruleId,
        );
        return { rule: { ...rule, ruleId: now?.ruleId ?? rule.ruleId }, now };
      });
      if (mode === 'revoke') {
        for (const { now } of found) {
          const stillOpen = now !== undefined && judgeRule(now, policy, await rangesOf(now)) !== undefined;
          if (!stillOpen) alreadyAbsent += 1;
          else if ((await securityGroups.revokeRule(groupId, now.ruleId)) === 'revoked') revoked += 1;
          else alreadyAbsent += 1;
        }
      }

      const action: FindingAction = mode === 'revoke' ? 'REVOKED' : 'REPORTED';
      const findings = found.map(({ rule }) => toFinding(change, groupId, rule, action));
      const pending: SecurityFinding[] = [];
      for (const finding of findings) {
        if ((await auditLog.record(finding, { notified: false })) === 'written') pending.push(finding);
      }
      if (pending.length > 0) {
        await notifier.publish(describeFindings(change, groupId, pending, action));
        // Only now is the entry final: a crash before this line alerts again on retry rather than never.
        for (const finding of pending) await auditLog.record(finding, { notified: true });
      }
      return { findings, notified: pending, revoked, alreadyAbsent };
    },
  };
}

export type SecurityPolicyEnforcer = ReturnType<typeof createSecurityPolicyEnforcer>;

export function describeFindings(
  change: AppliedSecurityGroupChange,
  groupId: string,
  findings: readonly SecurityFinding[],
  action: FindingAction,
): SecurityAlert {
  const count =
    findings.length === 1 ? '1 world-open ingress rule' : `${findings.length} world-open ingress rules`;
  const subject = action === 'REVOKED' ? `Revoked ${count} on ${groupId}` : `Found ${count} on ${groupId}`;
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
    `Security group ${groupId} (${where}) was opened to the internet${who} at ${change.eventTime} (${change.eventName}).`,
    '',
    outcome,
    ...lines,
    '',
    `CloudTrail event: ${change.eventId}`,
  ].join('\n');
  return { kind: 'security-finding', subject, message };
}
