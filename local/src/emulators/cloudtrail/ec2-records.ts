import { randomUUID } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import type { CallerIdentity } from './callers';

/**
 * CloudTrail's record of an EC2 call, built from the call's query-protocol request and moto's XML answer,
 * shaped as CloudTrail shapes it (compare the real records in ../shared/aws-sample-events/cloudtrail/):
 * request and response fields in camelCase, lists as `{ items: [...] }` (an empty list as `{}`), the
 * response's `return` as `_return`, ports and sizes as numbers. ModifySecurityGroupRules is written in the
 * "new-style" CloudTrail uses for newer APIs: the request's own PascalCase names under
 * `ModifySecurityGroupRulesRequest`, a single list member as an object tagged `tag: 1`.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */

/** The EC2 calls CloudTrail reports to the local bus: those that change security groups, snapshots and tags. */
export const RECORDED_EC2_ACTIONS = new Set([
  'AuthorizeSecurityGroupIngress',
  'ModifySecurityGroupRules',
  'RevokeSecurityGroupIngress',
  'CreateSecurityGroup',
  'CreateSnapshot',
  'DeleteSnapshot',
  'CreateTags',
]);

const NEW_STYLE_ACTIONS = new Set(['ModifySecurityGroupRules']);

const NUMERIC_FIELDS = new Set(['fromPort', 'toPort', 'size', 'volumeSize', 'FromPort', 'ToPort']);

export interface Ec2Call {
  /** The form-encoded request body (or query string). */
  query: URLSearchParams;
  identity: CallerIdentity;
  region: string;
  sourceIPAddress: string;
  userAgent: string;
  /** HTTP status of moto's answer, and its XML body. */
  status: number;
  responseXml: string;
  time: Date;
}

export interface CloudTrailRecord {
  eventVersion: string;
  userIdentity: CallerIdentity;
  eventTime: string;
  eventSource: 'ec2.amazonaws.com';
  eventName: string;
  awsRegion: string;
  sourceIPAddress: string;
  userAgent: string;
  requestParameters: Record<string, unknown> | null;
  responseElements: Record<string, unknown> | null;
  errorCode?: string;
  errorMessage?: string;
  requestID: string;
  eventID: string;
  readOnly: false;
  eventType: 'AwsApiCall';
  managementEvent: true;
  recipientAccountId: string;
  eventCategory: 'Management';
}

const xml = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  isArray: (name) => name === 'item' || name === 'Error',
});

export function cloudTrailRecordOf(call: Ec2Call): CloudTrailRecord {
  const action = call.query.get('Action') ?? '';
  const answer = xml.parse(call.responseXml) as Record<string, unknown>;
  const failed = call.status >= 300;
  const error = failed ? errorOf(answer) : undefined;
  const response = failed ? undefined : (answer[`${action}Response`] as Record<string, unknown> | undefined);
  const requestId = String(response?.requestId ?? error?.requestId ?? randomUUID());
  const newStyle = NEW_STYLE_ACTIONS.has(action);
  return {
    eventVersion: '1.09',
    userIdentity: call.identity,
    eventTime: call.time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 'ec2.amazonaws.com',
    eventName: action,
    awsRegion: call.region,
    sourceIPAddress: call.sourceIPAddress,
    userAgent: call.userAgent,
    requestParameters: newStyle
      ? { [`${action}Request`]: newStyleOf(nestedOf(call.query)) }
      : legacyRequestOf(action, nestedOf(call.query)),
    responseElements:
      response === undefined
        ? null
        : newStyle
          ? { [`${action}Response`]: newStyleResponseOf(response) }
          : (legacyOf(response) as Record<string, unknown>),
    ...(error === undefined ? {} : { errorCode: error.code, errorMessage: error.message }),
    requestID: requestId,
    eventID: randomUUID(),
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: call.identity.accountId,
    eventCategory: 'Management',
  };
}

type Tree = { [key: string]: Tree | Tree[] | string };

/** `IpPermissions.1.IpRanges.1.CidrIp=...` as nested objects, numbered members as arrays (1-based). */
export function nestedOf(query: URLSearchParams): Tree {
  const root: Tree = {};
  for (const [key, value] of query) {
    if (key === 'Action' || key === 'Version') continue;
    const path = key.split('.');
    let node: Tree | Tree[] = root;
    path.forEach((segment, index) => {
      const last = index === path.length - 1;
      const nextIsIndex = !last && /^\d+$/.test(path[index + 1] ?? '');
      if (Array.isArray(node)) {
        const position = Number(segment) - 1;
        node[position] ??= {};
        node = node[position] as Tree;
        return;
      }
      if (last) node[segment] = value;
      else {
        node[segment] ??= nextIsIndex ? [] : {};
        node = node[segment] as Tree | Tree[];
      }
    });
  }
  return root;
}

// Query names whose CloudTrail names differ from the camelCase of the name.
const LEGACY_NAMES: Readonly<Record<string, string>> = {
  UserIdGroupPairs: 'groups',
  ResourceId: 'resourcesSet',
  Tag: 'tagSet',
  TagSpecification: 'tagSpecificationSet',
  GroupName: 'groupName',
};

function legacyRequestOf(action: string, request: Tree): Record<string, unknown> {
  const converted = legacyOf(request, undefined) as Record<string, unknown>;
  // The legacy top-level form (CidrIp, IpProtocol, FromPort, ToPort) is recorded beside an empty list.
  if (
    (action === 'AuthorizeSecurityGroupIngress' || action === 'RevokeSecurityGroupIngress') &&
    converted.ipPermissions === undefined
  ) {
    converted.ipPermissions = {};
  }
  return converted;
}

function legacyOf(value: unknown, parentKey?: string): unknown {
  if (Array.isArray(value)) {
    const items = value.filter((item) => item !== undefined).map((item) => legacyOf(item, parentKey));
    return items.length === 0 ? {} : { items };
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>);
    const output: Record<string, unknown> = {};
    for (const [key, child] of entries) {
      if (key === 'item') return { items: (child as unknown[]).map((item) => legacyOf(item, key)) };
      if (key === 'ResourceId' && Array.isArray(child)) {
        output.resourcesSet = { items: child.map((resourceId) => ({ resourceId })) };
        continue;
      }
      // A TagSpecification's tags are a plain list in CloudTrail's records.
      if (parentKey === 'TagSpecification' && key === 'Tag' && Array.isArray(child)) {
        output.tags = child.map((tag) => legacyOf(tag));
        continue;
      }
      const name = key === 'return' ? '_return' : (LEGACY_NAMES[key] ?? camelCase(key));
      output[name] = legacyOf(child, key);
    }
    return output;
  }
  if (value === '') return {};
  return leafOf(parentKey ?? '', value as string);
}

function newStyleOf(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) {
    const items = value.map((item, index) => ({ ...(newStyleOf(item) as object), tag: index + 1 }));
    return items.length === 1 ? items[0] : items;
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([name, child]) => [
        name,
        newStyleOf(child, name),
      ]),
    );
  }
  return leafOf(key, value as string);
}

function newStyleResponseOf(response: Record<string, unknown>) {
  return {
    xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/',
    requestId: response.requestId,
    return: response.return === 'true',
  };
}

function leafOf(key: string, value: string): unknown {
  if (value === 'true' || value === 'false') return value === 'true';
  if (NUMERIC_FIELDS.has(key) && /^-?\d+$/.test(value)) return Number(value);
  return value;
}

function camelCase(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** EC2's error answer: `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>`. */
function errorOf(answer: Record<string, unknown>) {
  const response = (answer.Response ?? answer.ErrorResponse ?? {}) as Record<string, unknown>;
  const errors = (response.Errors ?? {}) as { Error?: { Code?: string; Message?: string }[] };
  const first = errors.Error?.[0];
  return {
    code: String(first?.Code ?? 'InternalError'),
    message: String(first?.Message ?? 'the call failed'),
    requestId: (response.RequestID ?? response.RequestId) as string | undefined,
  };
}
