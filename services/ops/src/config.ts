import { defineConfig, readOneOf, readString } from '@serverless-patterns/shared/config';
import { ENFORCEMENT_MODES } from './core/security-policy-enforcer';

/** Every setting of the service, each read when the composition first uses it (at cold start). */
export const config = defineConfig({
  opsTableName: () => readString('OPS_TABLE_NAME'),
  notificationsTopicArn: () => readString('NOTIFICATIONS_TOPIC_ARN'),
  // revoke: remove the rule and alert; report: alert only.
  enforcementMode: () => readOneOf('ENFORCEMENT_MODE', ENFORCEMENT_MODES),
});
