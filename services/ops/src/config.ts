import { ConfigError, defineConfig, readOneOf, readString } from '@serverless-patterns/shared/config';
import { ENFORCEMENT_MODES } from './core/security-policy-enforcer';

/** Every setting of the service, each read when the composition first uses it (at cold start). */
export const config = defineConfig({
  opsTableName: () => readString('OPS_TABLE_NAME'),
  // Set by Lambda: the function's own region.
  region: () => readString('AWS_REGION'),
  notificationsTopicArn: () => readString('NOTIFICATIONS_TOPIC_ARN'),
  // revoke: remove the rule and alert; report: alert only.
  enforcementMode: () => readOneOf('ENFORCEMENT_MODE', ENFORCEMENT_MODES),
  // The ports no rule may open to the world: "22,3389,5432".
  forbiddenPorts: () => readPorts('FORBIDDEN_PORTS'),
  // The share of an address family above which a range is the world: "1/256" or "0.00390625".
  worldOpenShare: () => readShare('WORLD_OPEN_SHARE'),
  // Accounts whose security-group events reach this bus (event-bus policy), and the role the guard
  // assumes in each of them to revoke.
  memberAccounts: () => readList('MEMBER_ACCOUNTS', /^\d{12}$/, 'a 12-digit account id'),
  memberRoleName: () => readString('MEMBER_ROLE_NAME'),
  // Tasks: the executors' queue, and the session name a task's assumed role shows in CloudTrail.
  taskQueueUrl: () => readString('TASK_QUEUE_URL'),
});

function readList(name: string, pattern: RegExp, what: string): string[] {
  const raw = process.env[name]?.trim() ?? '';
  const values = raw === '' ? [] : raw.split(',').map((value) => value.trim());
  const bad = values.find((value) => !pattern.test(value));
  if (bad !== undefined)
    throw new ConfigError(`${name} must be a comma-separated list of ${what}; got "${bad}"`);
  return values;
}

function readPorts(name: string): number[] {
  const ports = readList(name, /^\d{1,5}$/, 'ports').map(Number);
  if (ports.length === 0 || ports.some((port) => port > 65535)) {
    throw new ConfigError(`${name} must list at least one port between 0 and 65535`);
  }
  return ports;
}

function readShare(name: string): number {
  const raw = readString(name);
  const fraction = /^(\d+)\s*\/\s*(\d+)$/.exec(raw);
  const share = fraction === null ? Number(raw) : Number(fraction[1]) / Number(fraction[2]);
  if (!(share > 0 && share < 1))
    throw new ConfigError(`${name} must be a share between 0 and 1, such as 1/256; got "${raw}"`);
  return share;
}
