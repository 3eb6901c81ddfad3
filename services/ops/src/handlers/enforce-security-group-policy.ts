import {
  correlationPaths,
  instrumented,
  logger,
  MetricUnit,
  metrics,
} from '@serverless-patterns/shared/observability';
import type { EventBridgeEvent } from 'aws-lambda';
import { securityPolicyEnforcer } from '../composition';
import { parseIngressFromCloudTrail } from '../core/security-group-policy';

const enforcer = securityPolicyEnforcer();

// A malformed event throws: after the retries it lands in the failure queue instead of being dropped.
export const handler = instrumented(
  async (event: EventBridgeEvent<'AWS API Call via CloudTrail', unknown>) => {
    const change = parseIngressFromCloudTrail(event.detail);
    const outcome = await enforcer.enforce(change);
    metrics.addMetric('WorldOpenRulesRevoked', MetricUnit.Count, outcome.revoked);
    const context = { sourceEventId: change.eventId, mode: enforcer.mode };
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
  { correlationIdPath: correlationPaths.eventBridge },
);
