import { createHash } from 'node:crypto';
import { ValidationError } from '@serverless-patterns/shared/errors';
import type { SecurityFinding } from '@serverless-patterns/shared/schemas/api';
import {
  ALL_TRAFFIC,
  type AppliedSecurityGroupChange,
  type IngressRule,
  sourceText,
} from './security-group-events';

/** Remote administration and database ports: none of them may be reachable from the whole internet. */
export const DEFAULT_FORBIDDEN_PORTS: readonly number[] = [
  22, 3389, 3306, 5432, 1433, 1521, 27017, 6379, 9200,
];

/**
 * A range is world-open when it covers more than this share of its family's address space: by default
 * more than a /8 of IPv4 (so 0.0.0.0/1 and 128.0.0.0/1, each half the internet, count as well as /0) or
 * more than a /8 of IPv6 (2000::/3, every global unicast address, counts).
 */
export const DEFAULT_WORLD_OPEN_SHARE = 1 / 256;

const PORT_NAMES: Readonly<Record<number, string>> = {
  22: 'SSH',
  3389: 'RDP',
  3306: 'MySQL',
  5432: 'PostgreSQL',
  1433: 'SQL Server',
  1521: 'Oracle',
  27017: 'MongoDB',
  6379: 'Redis',
  9200: 'Elasticsearch',
};

export interface SecurityGroupPolicy {
  forbiddenPorts: readonly number[];
  /** The share of an address family above which a range counts as the whole internet (0 < share < 1). */
  worldOpenShare: number;
}

/** A rule that opens forbidden ports to the world, with what made it so. */
export interface WorldOpenRule extends IngressRule {
  /** The world-open ranges: the CIDR itself, or the entries of the prefix list it references. */
  worldOpenRanges: string[];
  /** The forbidden ports the rule exposes, ascending. */
  exposedPorts: number[];
}

export type FindingAction = SecurityFinding['action'];

/** The forbidden ports a rule exposes. Only TCP and UDP have ports; all traffic (-1) covers them all. */
export function exposedPortsOf(rule: IngressRule, policy: SecurityGroupPolicy): number[] {
  const covers = (port: number) =>
    rule.protocol === ALL_TRAFFIC ||
    ((rule.protocol === 'tcp' || rule.protocol === 'udp') && rule.fromPort <= port && port <= rule.toPort);
  return [...new Set(policy.forbiddenPorts)].sort((a, b) => a - b).filter(covers);
}

/**
 * Whether a CIDR covers more than `share` of its address family: a /p range covers 2^-p of it. The host
 * bits do not matter (EC2 accepts 208.236.235.254/0, which is every address).
 */
export function isWorldOpen(cidr: string, share: number): boolean {
  const match = /^\s*([0-9a-fA-F.:]+)\/(\d{1,3})\s*$/.exec(cidr);
  const prefixLength = Number(match?.[2]);
  const maxLength = match?.[1]?.includes(':') ? 128 : 32;
  if (match === null || prefixLength > maxLength) {
    throw new ValidationError(`Malformed CIDR ${JSON.stringify(cidr)}`, {
      details: [{ path: 'cidr', message: 'must be an IPv4 or IPv6 CIDR block' }],
    });
  }
  return 2 ** -prefixLength > share;
}

/**
 * The rule judged against the policy: world-open on a forbidden port, or undefined. A prefix list's
 * entries are looked up by the caller (`prefixListRanges`); a rule that references a group is never open
 * to the world.
 */
export function judgeRule(
  rule: IngressRule,
  policy: SecurityGroupPolicy,
  prefixListRanges: readonly string[] = [],
): WorldOpenRule | undefined {
  const exposedPorts = exposedPortsOf(rule, policy);
  if (exposedPorts.length === 0 || rule.source.kind === 'security-group') return undefined;
  const ranges = rule.source.kind === 'cidr' ? [rule.source.cidr] : prefixListRanges;
  const worldOpenRanges = ranges.filter((cidr) => isWorldOpen(cidr, policy.worldOpenShare));
  return worldOpenRanges.length === 0 ? undefined : { ...rule, worldOpenRanges, exposedPorts };
}

/**
 * One finding per world-open rule. The id is derived from the CloudTrail event and the rule, and the time is
 * the event's, so a replayed event yields identical findings.
 */
export function toFinding(
  change: AppliedSecurityGroupChange,
  groupId: string,
  rule: WorldOpenRule,
  action: FindingAction,
): SecurityFinding {
  const source = sourceText(rule.source);
  const cidr = rule.source.kind === 'cidr' ? source : `${source} (${rule.worldOpenRanges.join(', ')})`;
  return {
    findingId: findingIdOf(change.eventId, groupId, rule),
    groupId,
    ...(rule.ruleId === undefined ? {} : { ruleId: rule.ruleId }),
    protocol: rule.protocol,
    fromPort: rule.fromPort,
    toPort: rule.toPort,
    cidr,
    reason: `${describeRule(rule)} is open to ${cidr}, exposing ${describePorts(rule.exposedPorts)}`,
    action,
    sourceEventId: change.eventId,
    detectedAt: change.eventTime,
  };
}

export function findingIdOf(eventId: string, groupId: string, rule: IngressRule): string {
  const key = JSON.stringify([
    eventId,
    groupId,
    rule.protocol,
    rule.fromPort,
    rule.toPort,
    sourceText(rule.source),
  ]);
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

function describeRule(rule: Pick<IngressRule, 'protocol' | 'fromPort' | 'toPort'>): string {
  if (rule.protocol === ALL_TRAFFIC) return 'all traffic';
  const ports = rule.fromPort === rule.toPort ? `${rule.fromPort}` : `${rule.fromPort}-${rule.toPort}`;
  return `${rule.protocol} ${ports}`;
}

function describePorts(ports: readonly number[]): string {
  return ports.map((port) => `${PORT_NAMES[port] ?? 'port'} (${port})`).join(', ');
}
