import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import { ec2 } from '@serverless-patterns/shared/clients/ec2';
import { sns } from '@serverless-patterns/shared/clients/sns';
import { instrumented, logger, MetricUnit, metrics } from '@serverless-patterns/shared/observability';
import type { EventBridgeEvent } from 'aws-lambda';
import { createAuditLog } from '../adapters/audit-log';
import { createNotifier } from '../adapters/notifier';
import { createSecurityGroups } from '../adapters/security-groups';
import { config } from '../config';
import { DEFAULT_FORBIDDEN_PORTS, parseIngressFromCloudTrail } from '../core/security-group-policy';
import { createSecurityPolicyEnforcer } from '../core/security-policy-enforcer';

const enforcer = createSecurityPolicyEnforcer({
  securityGroups: createSecurityGroups(ec2),
  auditLog: createAuditLog(documentClient, config.opsTableName),
  notifier: createNotifier(sns, config.notificationsTopicArn),
  mode: config.enforcementMode,
  policy: { forbiddenPorts: DEFAULT_FORBIDDEN_PORTS },
});

// A malformed event throws: after the retries it lands in the failure queue instead of being dropped.
export const handler = instrumented(
  async (event: EventBridgeEvent<'AWS API Call via CloudTrail', unknown>) => {
    const change = parseIngressFromCloudTrail(event.detail);
    const outcome = await enforcer.enforce(change);
    metrics.addMetric('WorldOpenRulesRevoked', MetricUnit.Count, outcome.revoked);
    const context = { sourceEventId: change.eventId, mode: config.enforcementMode };
    if (change.outcome === 'failed') {
      logger.info('ingress call failed, no rule was added', { ...context, errorCode: change.errorCode });
    } else if (outcome.findings.length > 0) {
      logger.warn('world-open ingress rules found', {
        ...context,
        findings: outcome.findings,
        revoked: outcome.revoked,
        alerted: outcome.notified.length,
      });
    }
    if (outcome.alreadyAbsent > 0) {
      logger.warn('some world-open rules were already gone when revoked', {
        ...context,
        count: outcome.alreadyAbsent,
      });
    }
  },
);
