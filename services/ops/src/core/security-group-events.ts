import { type FieldIssue, ValidationError } from '@serverless-patterns/shared/errors';
import * as z from 'zod';

/**
 * The ingress rules a security-group call added or changed, read from CloudTrail's record of it as
 * EventBridge delivers it ("AWS API Call via CloudTrail"). Every shape CloudTrail really sends is read:
 * `ipPermissions` with IPv4, IPv6, prefix-list and group sources; the legacy top-level form (`cidrIp`,
 * `ipProtocol`, `fromPort`, `toPort` beside an empty `ipPermissions: {}`); a group named instead of given
 * by id; responses with and without rule ids (before 2021); ModifySecurityGroupRules in the "new-style"
 * serialization; and calls that failed (`errorCode`), which changed nothing.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */

export const WATCHED_EVENT_NAMES = ['AuthorizeSecurityGroupIngress', 'ModifySecurityGroupRules'] as const;
export type WatchedEventName = (typeof WATCHED_EVENT_NAMES)[number];

export type RuleSource =
  | { kind: 'cidr'; cidr: string }
  | { kind: 'prefix-list'; prefixListId: string }
  | { kind: 'security-group'; groupId: string };

/** One ingress rule: a protocol and port range open to one source. */
export interface IngressRule {
  /** The id EC2 gave the rule, when the record carries it. */
  ruleId?: string;
  /** tcp, udp, icmp, icmpv6, another protocol number, or -1 for all traffic. */
  protocol: string;
  /** For TCP and UDP the port range; for ICMP the type and code; -1 for all traffic. */
  fromPort: number;
  toPort: number;
  source: RuleSource;
}

export interface AppliedSecurityGroupChange {
  outcome: 'applied';
  eventName: WatchedEventName;
  eventId: string;
  eventTime: string;
  region: string;
  accountId?: string;
  /** Who made the call (IAM ARN), when CloudTrail knows it. */
  actor?: string;
  /** The group by id, or only by name (AuthorizeSecurityGroupIngress in a default VPC, before 2021). */
  group: { groupId?: string; groupName?: string };
  rules: IngressRule[];
}

export interface FailedSecurityGroupCall {
  outcome: 'failed';
  eventName: WatchedEventName;
  eventId: string;
  errorCode: string;
}

export type SecurityGroupChange = AppliedSecurityGroupChange | FailedSecurityGroupCall;

export const ALL_TRAFFIC = '-1';
// EC2 accepts protocol numbers as well as names and stores the names.
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html
const PROTOCOL_NAMES: Readonly<Record<string, string>> = {
  '6': 'tcp',
  '17': 'udp',
  '1': 'icmp',
  '58': 'icmpv6',
};

export function normalizeProtocol(raw: string | number): string {
  const protocol = String(raw).trim().toLowerCase();
  return PROTOCOL_NAMES[protocol] ?? protocol;
}

// CloudTrail renders EC2 lists as { items: [...] }, and an empty list as {}.
const listOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item).optional() }).nullish();
const port = z.coerce.number().int().min(-1).max(65535);

const ipPermissionSchema = z.object({
  ipProtocol: z.union([z.string().min(1), z.number()]),
  fromPort: port.optional(),
  toPort: port.optional(),
  ipRanges: listOf(z.object({ cidrIp: z.string().min(1) })),
  ipv6Ranges: listOf(z.object({ cidrIpv6: z.string().min(1) })),
  prefixListIds: listOf(z.object({ prefixListId: z.string().min(1) })),
  groups: listOf(z.object({ groupId: z.string().optional(), groupName: z.string().optional() })),
});

const addedRuleSchema = z.object({
  securityGroupRuleId: z.string().min(1),
  groupId: z.string().optional(),
  isEgress: z.boolean().optional(),
  ipProtocol: z.union([z.string().min(1), z.number()]),
  fromPort: port.optional(),
  toPort: port.optional(),
  cidrIpv4: z.string().optional(),
  cidrIpv6: z.string().optional(),
  prefixListId: z.string().optional(),
  referencedGroupInfo: z.object({ groupId: z.string().optional() }).optional(),
});

const callSchema = z.object({
  eventSource: z.literal('ec2.amazonaws.com'),
  eventName: z.enum(WATCHED_EVENT_NAMES),
  eventID: z.string().min(1),
  errorCode: z.string().min(1).optional(),
});

const appliedCallSchema = callSchema.extend({
  eventTime: z.iso.datetime({ offset: true }),
  awsRegion: z.string().min(1),
  recipientAccountId: z.union([z.string(), z.number()]).optional(),
  userIdentity: z.object({ arn: z.string().optional() }).nullish(),
});

const authorizeSchema = z.object({
  requestParameters: z.object({
    groupId: z.string().optional(),
    groupName: z.string().optional(),
    ipPermissions: listOf(ipPermissionSchema),
    // The legacy top-level form.
    ipProtocol: z.union([z.string().min(1), z.number()]).optional(),
    fromPort: port.optional(),
    toPort: port.optional(),
    cidrIp: z.string().optional(),
    sourceSecurityGroupName: z.string().optional(),
  }),
  responseElements: z.object({ securityGroupRuleSet: listOf(addedRuleSchema) }).nullish(),
});

const modifiedRuleSchema = z.object({
  SecurityGroupRuleId: z.string().min(1),
  SecurityGroupRule: z.object({
    IpProtocol: z.union([z.string().min(1), z.number()]),
    FromPort: port.optional(),
    ToPort: port.optional(),
    CidrIpv4: z.string().optional(),
    CidrIpv6: z.string().optional(),
    PrefixListId: z.string().optional(),
    ReferencedGroupId: z.string().optional(),
  }),
});

const modifySchema = z.object({
  requestParameters: z.object({
    ModifySecurityGroupRulesRequest: z.object({
      GroupId: z.string().min(1),
      // One rule is serialized as an object, several as an array.
      SecurityGroupRule: z.union([modifiedRuleSchema, z.array(modifiedRuleSchema).min(1)]),
    }),
  }),
});

/** Reads the `detail` of an "AWS API Call via CloudTrail" event; throws ValidationError for anything else. */
export function parseSecurityGroupChange(detail: unknown): SecurityGroupChange {
  const call = parseWith(callSchema, detail, 'security-group event');
  if (call.errorCode !== undefined) {
    return { outcome: 'failed', eventName: call.eventName, eventId: call.eventID, errorCode: call.errorCode };
  }
  const applied = parseWith(appliedCallSchema, detail, call.eventName);
  const common = {
    outcome: 'applied' as const,
    eventName: call.eventName,
    eventId: applied.eventID,
    eventTime: applied.eventTime,
    region: applied.awsRegion,
    ...(applied.recipientAccountId === undefined ? {} : { accountId: String(applied.recipientAccountId) }),
    ...(applied.userIdentity?.arn === undefined ? {} : { actor: applied.userIdentity.arn }),
  };
  if (call.eventName === 'ModifySecurityGroupRules') {
    const request = parseWith(modifySchema, detail, call.eventName).requestParameters
      .ModifySecurityGroupRulesRequest;
    const modified = [request.SecurityGroupRule].flat();
    return { ...common, group: { groupId: request.GroupId }, rules: modified.map(toModifiedRule) };
  }
  const { requestParameters: request, responseElements } = parseWith(authorizeSchema, detail, call.eventName);
  const added = (responseElements?.securityGroupRuleSet?.items ?? []).filter(
    (rule) => rule.isEgress !== true,
  );
  const requested = requestedRules(request);
  if (requested.length === 0) {
    throw invalid(call.eventName, 'requestParameters.ipPermissions', 'names no ingress rule');
  }
  const groupId = request.groupId ?? added[0]?.groupId;
  if (groupId === undefined && request.groupName === undefined) {
    throw invalid(call.eventName, 'requestParameters.groupId', 'names no security group');
  }
  const addedRules = added.map(toAddedRule);
  return {
    ...common,
    group: {
      ...(groupId === undefined ? {} : { groupId }),
      ...(request.groupName === undefined ? {} : { groupName: request.groupName }),
    },
    rules: requested.map((rule) => {
      const ruleId = addedRules.find((candidate) => isSameRule(candidate, rule))?.ruleId;
      return ruleId === undefined ? rule : { ...rule, ruleId };
    }),
  };
}

function requestedRules(request: z.infer<typeof authorizeSchema>['requestParameters']): IngressRule[] {
  const permissions = request.ipPermissions?.items ?? [];
  if (permissions.length > 0) return permissions.flatMap(toRules);
  // The legacy top-level form: one protocol and port range, one IPv4 range (or a group by name).
  if (request.ipProtocol === undefined) return [];
  const ports = portsOf(request.ipProtocol, request.fromPort, request.toPort);
  if (request.cidrIp !== undefined) return [{ ...ports, source: { kind: 'cidr', cidr: request.cidrIp } }];
  if (request.sourceSecurityGroupName !== undefined) {
    return [{ ...ports, source: { kind: 'security-group', groupId: request.sourceSecurityGroupName } }];
  }
  return [];
}

function toRules(permission: z.infer<typeof ipPermissionSchema>): IngressRule[] {
  const ports = portsOf(permission.ipProtocol, permission.fromPort, permission.toPort);
  const sources: RuleSource[] = [
    ...(permission.ipRanges?.items ?? []).map((range) => ({ kind: 'cidr' as const, cidr: range.cidrIp })),
    ...(permission.ipv6Ranges?.items ?? []).map((range) => ({ kind: 'cidr' as const, cidr: range.cidrIpv6 })),
    ...(permission.prefixListIds?.items ?? []).map((list) => ({
      kind: 'prefix-list' as const,
      prefixListId: list.prefixListId,
    })),
    ...(permission.groups?.items ?? []).map((group) => ({
      kind: 'security-group' as const,
      groupId: group.groupId ?? group.groupName ?? '',
    })),
  ];
  return sources.map((source) => ({ ...ports, source }));
}

function toModifiedRule(raw: z.infer<typeof modifiedRuleSchema>): IngressRule {
  const rule = raw.SecurityGroupRule;
  const source: RuleSource | undefined =
    rule.CidrIpv4 !== undefined || rule.CidrIpv6 !== undefined
      ? { kind: 'cidr', cidr: (rule.CidrIpv4 ?? rule.CidrIpv6) as string }
      : rule.PrefixListId !== undefined
        ? { kind: 'prefix-list', prefixListId: rule.PrefixListId }
        : rule.ReferencedGroupId !== undefined
          ? { kind: 'security-group', groupId: rule.ReferencedGroupId }
          : undefined;
  if (source === undefined) {
    throw invalid(
      'ModifySecurityGroupRules',
      'SecurityGroupRule',
      'names no source (CIDR, prefix list or group)',
    );
  }
  return { ruleId: raw.SecurityGroupRuleId, ...portsOf(rule.IpProtocol, rule.FromPort, rule.ToPort), source };
}

function toAddedRule(raw: z.infer<typeof addedRuleSchema>): IngressRule & { ruleId: string } {
  const cidr = raw.cidrIpv4 ?? raw.cidrIpv6;
  const source: RuleSource =
    cidr !== undefined
      ? { kind: 'cidr', cidr }
      : raw.prefixListId !== undefined
        ? { kind: 'prefix-list', prefixListId: raw.prefixListId }
        : { kind: 'security-group', groupId: raw.referencedGroupInfo?.groupId ?? '' };
  return { ruleId: raw.securityGroupRuleId, ...portsOf(raw.ipProtocol, raw.fromPort, raw.toPort), source };
}

function portsOf(rawProtocol: string | number, fromPort?: number, toPort?: number) {
  const protocol = normalizeProtocol(rawProtocol);
  if (protocol === ALL_TRAFFIC) return { protocol, fromPort: -1, toPort: -1 };
  if ((protocol === 'tcp' || protocol === 'udp') && (fromPort === undefined || toPort === undefined)) {
    throw invalid('security-group event', 'fromPort', 'TCP and UDP rules need fromPort and toPort');
  }
  return { protocol, fromPort: fromPort ?? -1, toPort: toPort ?? -1 };
}

export function sourceText(source: RuleSource): string {
  if (source.kind === 'cidr') return source.cidr;
  return source.kind === 'prefix-list' ? source.prefixListId : source.groupId;
}

/** Same protocol, ports and source: EC2 keeps one rule per (protocol, ports, source) of a group. */
export function isSameRule(a: IngressRule, b: IngressRule): boolean {
  if (a.protocol !== b.protocol || a.source.kind !== b.source.kind) return false;
  if (sourceText(a.source).toLowerCase() !== sourceText(b.source).toLowerCase()) return false;
  return a.protocol === ALL_TRAFFIC || (a.fromPort === b.fromPort && a.toPort === b.toPort);
}

function invalid(what: string, path: string, message: string): ValidationError {
  return new ValidationError(`Malformed ${what} event at ${path} (${message})`, {
    details: [{ path, message }],
  });
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details: FieldIssue[] = result.error.issues.map((issue) => ({
    path: issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.'),
    message: issue.message,
  }));
  const summary = details.map((issue) => `${issue.path} (${issue.message})`).join(', ');
  throw new ValidationError(`Malformed ${what} event at ${summary}`, { cause: result.error, details });
}
