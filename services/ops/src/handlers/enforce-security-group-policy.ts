import {
  correlationPaths,
  instrumented,
  logger,
  MetricUnit,
  metrics,
} from '@serverless-patterns/shared/observability';
import type { EventBridgeEvent } from 'aws-lambda';
import { securityPolicyEnforcer } from '../composition';
import { parseSecurityGroupChange } from '../core/security-group-events';

const enforcer = securityPolicyEnforcer();

// An event that cannot be read throws: after the retries it lands in the failure queue (and its alarm
// goes off) instead of being dropped, so that a rule in a shape the parser missed never stays open quietly.
export const handler = instrumented(
  async (event: EventBridgeEvent<'AWS API Call via CloudTrail', unknown>) => {
    const change = parseSecurityGroupChange(event.detail);
    const outcome = await enforcer.enforce(change);
    metrics.addMetric('WorldOpenRulesRevoked', MetricUnit.Count, outcome.revoked);
    metrics.addMetric('SecurityFindings', MetricUnit.Count, outcome.notified.length);
    const context = { sourceEventId: change.eventId, eventName: change.eventName, mode: enforcer.mode };
    if (change.outcome === 'failed') {
      // A refused call added no rule: nothing to check (logged, so that it is visibly not ignored).
      logger.info('the call failed, no rule was added or changed', {
        ...context,
        errorCode: change.errorCode,
      });
    } else if (outcome.skipped === 'group-gone') {
      logger.info('the security group no longer exists', { ...context, group: change.group });
    } else if (outcome.findings.length > 0) {
      logger.warn('world-open ingress rules found', {
        ...context,
        findings: outcome.findings,
        revoked: outcome.revoked,
        alerted: outcome.notified.length,
      });
    }
    if (outcome.alreadyAbsent > 0) {
      logger.warn('some world-open rules were already gone, or narrowed, when read before revoking', {
        ...context,
        count: outcome.alreadyAbsent,
      });
    }
  },
  { correlationIdPath: correlationPaths.eventBridge },
);
