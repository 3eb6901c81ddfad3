import { readOneOf, readString } from '@serverless-patterns/shared/config';
import { ENFORCEMENT_MODES } from './core/security-policy-enforcer';

/** Read once at cold start: a missing or invalid variable fails the first invocation with its name. */
export const config = {
  opsTableName: readString('OPS_TABLE_NAME'),
  notificationsTopicArn: readString('NOTIFICATIONS_TOPIC_ARN'),
  enforcementMode: readOneOf('ENFORCEMENT_MODE', ENFORCEMENT_MODES),
} as const;
