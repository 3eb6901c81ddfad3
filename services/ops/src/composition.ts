import { createAuditLog } from './adapters/audit-log';
import { createNotifier } from './adapters/notifier';
import { createSecurityGroups } from './adapters/security-groups';
import { config } from './config';
import { DEFAULT_FORBIDDEN_PORTS } from './core/security-group-policy';
import { createSecurityPolicyEnforcer } from './core/security-policy-enforcer';

// The service's parts, built from its config. Each handler calls what it uses once, at module scope,
// so that clients and adapters are made at cold start and reused by every invocation.

export function securityPolicyEnforcer() {
  return createSecurityPolicyEnforcer({
    securityGroups: createSecurityGroups(),
    auditLog: createAuditLog({ tableName: config.opsTableName }),
    notifier: createNotifier({ topicArn: config.notificationsTopicArn }),
    mode: config.enforcementMode,
    policy: { forbiddenPorts: DEFAULT_FORBIDDEN_PORTS },
  });
}
