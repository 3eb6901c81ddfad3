import { createAuditLog } from './adapters/audit-log';
import { createEc2Clients } from './adapters/ec2-clients';
import { createNotifier } from './adapters/notifier';
import { createSecurityGroups } from './adapters/security-groups';
import { config } from './config';
import { createSecurityPolicyEnforcer } from './core/security-policy-enforcer';

// The service's parts, built from its config. Each handler calls what it uses once, at module scope,
// so that clients and adapters are made at cold start and reused by every invocation.

export function securityPolicyEnforcer() {
  const clients = createEc2Clients({ homeRegion: config.region, sessionName: 'ops-security-guard' });
  const members = new Set(config.memberAccounts);
  const memberRoleName = members.size === 0 ? '' : config.memberRoleName;
  return createSecurityPolicyEnforcer({
    // A member account's rule is revoked with the role the guard assumes there; this account's directly.
    securityGroupsIn: ({ accountId, region }) =>
      createSecurityGroups({
        client: clients.ec2For({
          region,
          ...(accountId !== undefined && members.has(accountId)
            ? { roleArn: `arn:aws:iam::${accountId}:role/${memberRoleName}` }
            : {}),
        }),
      }),
    auditLog: createAuditLog({ tableName: config.opsTableName }),
    notifier: createNotifier({ topicArn: config.notificationsTopicArn }),
    mode: config.enforcementMode,
    policy: { forbiddenPorts: config.forbiddenPorts, worldOpenShare: config.worldOpenShare },
  });
}
