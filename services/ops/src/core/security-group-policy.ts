import { createHash } from 'node:crypto';
import { type FieldIssue, ValidationError } from '@serverless-patterns/shared/errors';
import type { SecurityFinding } from '@serverless-patterns/shared/schemas/api';
import * as z from 'zod';

/** Remote administration and database ports: none of them may be reachable from the whole internet. */
export const DEFAULT_FORBIDDEN_PORTS: readonly number[] = [
  22, 3389, 3306, 5432, 1433, 1521, 27017, 6379, 9200,
];

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
}

/** One ingress permission as EC2 applies it: a protocol and port range open to some address ranges. */
export interface IngressPermission {
  /** tcp, udp, icmp, icmpv6, another IP protocol number, or -1 for all traffic. */
  protocol: string;
  /** For TCP and UDP the port range; for ICMP the type and code; -1 for all traffic. */
  fromPort: number;
  toPort: number;
  ipv4Ranges: string[];
  ipv6Ranges: string[];
}

/** A single (protocol, ports, CIDR) rule open to the whole internet on at least one forbidden port. */
export interface WorldOpenRule {
  protocol: string;
  fromPort: number;
  toPort: number;
  cidr: string;
  /** The forbidden ports the rule exposes, ascending. */
  exposedPorts: number[];
}

/** A rule EC2 reports as created, with the id it gave it. */
export interface AddedRule {
  ruleId: string;
  protocol: string;
  fromPort: number;
  toPort: number;
  cidr: string;
}

/** An AuthorizeSecurityGroupIngress call that EC2 applied. */
export interface AppliedIngressChange {
  outcome: 'applied';
  eventId: string;
  eventTime: string;
  region: string;
  accountId?: string;
  /** Who made the call (IAM ARN), when CloudTrail knows it. */
  actor?: string;
  groupId: string;
  permissions: IngressPermission[];
  addedRules: AddedRule[];
}

/** An AuthorizeSecurityGroupIngress call that EC2 refused: it added no rule. */
export interface FailedIngressCall {
  outcome: 'failed';
  eventId: string;
  errorCode: string;
}

export type IngressChange = AppliedIngressChange | FailedIngressCall;

export type FindingAction = SecurityFinding['action'];

const ALL_TRAFFIC = '-1';
const PORT_PROTOCOLS = new Set(['tcp', 'udp']);
// EC2 accepts protocol numbers as well as names and stores the names.
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html
const PROTOCOL_NAMES: Readonly<Record<string, string>> = {
  '6': 'tcp',
  '17': 'udp',
  '1': 'icmp',
  '58': 'icmpv6',
};

/**
 * The rules among `permissions` that open a forbidden port to the whole internet. Only TCP and UDP have
 * ports (ICMP's from/to are a type and code); all traffic (-1) covers every port of both.
 */
export function findWorldOpenRules(
  permissions: readonly IngressPermission[],
  policy: SecurityGroupPolicy,
): WorldOpenRule[] {
  const forbiddenPorts = [...new Set(policy.forbiddenPorts)].sort((a, b) => a - b);
  return permissions.flatMap((permission) => {
    const exposedPorts = forbiddenPorts.filter((port) => covers(permission, port));
    if (exposedPorts.length === 0) return [];
    const { protocol, fromPort, toPort } = permission;
    return [...permission.ipv4Ranges, ...permission.ipv6Ranges]
      .filter(isWholeInternet)
      .map((cidr) => ({ protocol, fromPort, toPort, cidr, exposedPorts }));
  });
}

function covers(permission: IngressPermission, port: number): boolean {
  if (permission.protocol === ALL_TRAFFIC) return true;
  return PORT_PROTOCOLS.has(permission.protocol) && permission.fromPort <= port && port <= permission.toPort;
}

/** 0.0.0.0/0 and ::/0, however spelled: a prefix length of 0 matches every address of the family. */
function isWholeInternet(cidr: string): boolean {
  return cidr.trim().endsWith('/0');
}

export function normalizeProtocol(raw: string): string {
  const protocol = raw.trim().toLowerCase();
  return PROTOCOL_NAMES[protocol] ?? protocol;
}

// CloudTrail renders EC2 lists as { items: [...] }, and an empty list as {}.
const listOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item).optional() }).nullish();

const ipPermissionSchema = z
  .object({
    ipProtocol: z.string().min(1),
    fromPort: z.number().int().min(-1).max(65535).optional(),
    toPort: z.number().int().min(-1).max(65535).optional(),
    ipRanges: listOf(z.object({ cidrIp: z.string().min(1) })),
    ipv6Ranges: listOf(z.object({ cidrIpv6: z.string().min(1) })),
  })
  .superRefine((permission, context) => {
    if (!PORT_PROTOCOLS.has(normalizeProtocol(permission.ipProtocol))) return;
    const { fromPort, toPort } = permission;
    if (fromPort === undefined || toPort === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['fromPort'],
        message: 'TCP and UDP rules need fromPort and toPort',
      });
    } else if (fromPort < 0 || fromPort > toPort) {
      context.addIssue({
        code: 'custom',
        path: ['fromPort'],
        message: 'must be a port no greater than toPort',
      });
    }
  });

const addedRuleSchema = z.object({
  securityGroupRuleId: z.string().min(1),
  groupId: z.string().optional(),
  ipProtocol: z.string().min(1),
  fromPort: z.number().int().optional(),
  toPort: z.number().int().optional(),
  cidrIpv4: z.string().optional(),
  cidrIpv6: z.string().optional(),
});

const groupIdSchema = z
  .string()
  .regex(/^sg-[0-9a-f]{8,17}$/, 'must be a security group id such as sg-0123456789abcdef0');

const cloudTrailCallSchema = z.object({
  eventSource: z.literal('ec2.amazonaws.com'),
  eventName: z.literal('AuthorizeSecurityGroupIngress'),
  eventID: z.string().min(1),
  errorCode: z.string().min(1).optional(),
});

const appliedCallSchema = cloudTrailCallSchema.extend({
  eventTime: z.iso.datetime({ offset: true }),
  awsRegion: z.string().min(1),
  recipientAccountId: z.string().optional(),
  userIdentity: z.object({ arn: z.string().optional() }).nullish(),
  requestParameters: z.object({
    groupId: groupIdSchema.optional(),
    ipPermissions: z.object({ items: z.array(ipPermissionSchema).min(1) }),
  }),
  responseElements: z.object({ securityGroupRuleSet: listOf(addedRuleSchema) }).nullish(),
});

/**
 * Reads the ingress rules an AuthorizeSecurityGroupIngress call added, from the `detail` of the CloudTrail
 * event that EventBridge delivers.
 * https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-ec2.html
 */
export function parseIngressFromCloudTrail(detail: unknown): IngressChange {
  const call = parseWith(cloudTrailCallSchema, detail);
  if (call.errorCode !== undefined) {
    return { outcome: 'failed', eventId: call.eventID, errorCode: call.errorCode };
  }
  const applied = parseWith(appliedCallSchema, detail);
  const addedRules = applied.responseElements?.securityGroupRuleSet?.items ?? [];
  // Callers may name the group (default VPC) instead of giving its id; EC2's response always carries the id.
  const groupId = applied.requestParameters.groupId ?? addedRules[0]?.groupId;
  if (groupId === undefined || !groupIdSchema.safeParse(groupId).success) {
    const message = 'names no security group id';
    throw new ValidationError(
      `Malformed AuthorizeSecurityGroupIngress event at requestParameters.groupId (${message})`,
      {
        details: [{ path: 'requestParameters.groupId', message }],
      },
    );
  }
  return {
    outcome: 'applied',
    eventId: applied.eventID,
    eventTime: applied.eventTime,
    region: applied.awsRegion,
    ...(applied.recipientAccountId === undefined ? {} : { accountId: applied.recipientAccountId }),
    ...(applied.userIdentity?.arn === undefined ? {} : { actor: applied.userIdentity.arn }),
    groupId,
    permissions: applied.requestParameters.ipPermissions.items.map(toIngressPermission),
    addedRules: addedRules.flatMap(toAddedRule),
  };
}

function toIngressPermission(raw: z.infer<typeof ipPermissionSchema>): IngressPermission {
  const protocol = normalizeProtocol(raw.ipProtocol);
  const allTraffic = protocol === ALL_TRAFFIC;
  return {
    protocol,
    fromPort: allTraffic ? -1 : (raw.fromPort ?? -1),
    toPort: allTraffic ? -1 : (raw.toPort ?? -1),
    ipv4Ranges: (raw.ipRanges?.items ?? []).map((range) => range.cidrIp),
    ipv6Ranges: (raw.ipv6Ranges?.items ?? []).map((range) => range.cidrIpv6),
  };
}

function toAddedRule(raw: z.infer<typeof addedRuleSchema>): AddedRule[] {
  const cidr = raw.cidrIpv4 ?? raw.cidrIpv6;
  // Rules that reference a security group or a prefix list cannot be world-open.
  if (cidr === undefined) return [];
  return [
    {
      ruleId: raw.securityGroupRuleId,
      protocol: normalizeProtocol(raw.ipProtocol),
      fromPort: raw.fromPort ?? -1,
      toPort: raw.toPort ?? -1,
      cidr,
    },
  ];
}

/**
 * One finding per world-open rule. The id is derived from the CloudTrail event and the rule, and the time is
 * the event's, so a replayed event yields identical findings.
 */
export function toFindings(
  change: AppliedIngressChange,
  rules: readonly WorldOpenRule[],
  action: FindingAction,
): SecurityFinding[] {
  return rules.map((rule) => {
    const ruleId = change.addedRules.find((added) => isSameRule(added, rule))?.ruleId;
    return {
      findingId: findingIdOf(change.eventId, change.groupId, rule),
      groupId: change.groupId,
      ...(ruleId === undefined ? {} : { ruleId }),
      protocol: rule.protocol,
      fromPort: rule.fromPort,
      toPort: rule.toPort,
      cidr: rule.cidr,
      reason: `${describeRule(rule)} is open to ${rule.cidr}, exposing ${describePorts(rule.exposedPorts)}`,
      action,
      sourceEventId: change.eventId,
      detectedAt: change.eventTime,
    };
  });
}

export function findingIdOf(eventId: string, groupId: string, rule: WorldOpenRule): string {
  const key = JSON.stringify([eventId, groupId, rule.protocol, rule.fromPort, rule.toPort, rule.cidr]);
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

function isSameRule(added: AddedRule, rule: WorldOpenRule): boolean {
  if (added.protocol !== rule.protocol || added.cidr !== rule.cidr) return false;
  return rule.protocol === ALL_TRAFFIC || (added.fromPort === rule.fromPort && added.toPort === rule.toPort);
}

function describeRule(rule: Pick<WorldOpenRule, 'protocol' | 'fromPort' | 'toPort'>): string {
  if (rule.protocol === ALL_TRAFFIC) return 'all traffic';
  const ports = rule.fromPort === rule.toPort ? `${rule.fromPort}` : `${rule.fromPort}-${rule.toPort}`;
  return `${rule.protocol} ${ports}`;
}

function describePorts(ports: readonly number[]): string {
  return ports.map((port) => `${PORT_NAMES[port] ?? 'port'} (${port})`).join(', ');
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details: FieldIssue[] = result.error.issues.map((issue) => ({
    path: issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.'),
    message: issue.message,
  }));
  const summary = details.map((issue) => `${issue.path} (${issue.message})`).join(', ');
  throw new ValidationError(`Malformed AuthorizeSecurityGroupIngress event at ${summary}`, {
    cause: result.error,
    details,
  });
}
