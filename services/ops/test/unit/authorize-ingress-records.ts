import { eventBridgeEvent } from '@serverless-patterns/shared/testing';
import type { EventBridgeEvent } from 'aws-lambda';

// CloudTrail's records of AuthorizeSecurityGroupIngress calls, as EventBridge delivers them ("AWS API
// Call via CloudTrail"). The envelope is the testing entry point's; the records are this service's data.
// https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-ec2.html

export type CloudTrailIpPermission = {
  ipProtocol: string;
  fromPort?: number;
  toPort?: number;
  ipRanges?: { items?: { cidrIp: string; description?: string }[] };
  ipv6Ranges?: { items?: { cidrIpv6: string; description?: string }[] };
  groups?: Record<string, unknown>;
  prefixListIds?: Record<string, unknown>;
};

export const GROUP_ID = 'sg-0a1b2c3d4e5f67890';
export const EVENT_ID = '2d8b6a44-7c2f-4b1e-9a3d-5f0e1c9b7a61';
export const EVENT_TIME = '2024-05-14T09:15:27Z';

/** SSH opened to the world, as the console or `aws ec2 authorize-security-group-ingress` records it. */
export function worldOpenSsh(): CloudTrailIpPermission {
  return {
    ipProtocol: 'tcp',
    fromPort: 22,
    toPort: 22,
    groups: {},
    ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] },
    ipv6Ranges: {},
    prefixListIds: {},
  };
}

/**
 * The `detail` of an AuthorizeSecurityGroupIngress call recorded by CloudTrail, in the shape of a real
 * event (management event, assumed-role caller, rule ids in the response). The response lists one rule per
 * (permission, CIDR), as EC2 does.
 */
export function authorizeIngressDetail(
  options: { permissions?: CloudTrailIpPermission[]; groupId?: string; eventId?: string } = {},
): Record<string, unknown> {
  const { permissions = [worldOpenSsh()], groupId = GROUP_ID, eventId = EVENT_ID } = options;
  let ruleNumber = 0;
  const addedRules = permissions.flatMap((permission) =>
    [
      ...(permission.ipRanges?.items ?? []).map((range) => ({ cidrIpv4: range.cidrIp })),
      ...(permission.ipv6Ranges?.items ?? []).map((range) => ({ cidrIpv6: range.cidrIpv6 })),
    ].map((cidr) => {
      ruleNumber += 1;
      return {
        groupOwnerId: '123456789012',
        groupId,
        securityGroupRuleId: `sgr-0c2f4e6a8b0d1f3${ruleNumber.toString().padStart(2, '0')}`,
        isEgress: false,
        ipProtocol: permission.ipProtocol === '-1' ? '-1' : permission.ipProtocol.toLowerCase(),
        fromPort: permission.ipProtocol === '-1' ? -1 : permission.fromPort,
        toPort: permission.ipProtocol === '-1' ? -1 : permission.toPort,
        ...cidr,
      };
    }),
  );
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROA2EXAMPLEEXAMPLE7:alice',
      arn: 'arn:aws:sts::123456789012:assumed-role/Developers/alice',
      accountId: '123456789012',
      accessKeyId: 'ASIA2EXAMPLEEXAMPLE7',
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROA2EXAMPLEEXAMPLE7',
          arn: 'arn:aws:iam::123456789012:role/Developers',
          accountId: '123456789012',
          userName: 'Developers',
        },
        attributes: { creationDate: '2024-05-14T08:58:02Z', mfaAuthenticated: 'false' },
      },
    },
    eventTime: EVENT_TIME,
    eventSource: 'ec2.amazonaws.com',
    eventName: 'AuthorizeSecurityGroupIngress',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '203.0.113.24',
    userAgent: 'aws-cli/2.15.40 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.8',
    requestParameters: { groupId, ipPermissions: { items: permissions } },
    responseElements: {
      requestId: '8f3e2d1c-4b5a-6978-8a9b-0c1d2e3f4a5b',
      _return: true,
      securityGroupRuleSet: { items: addedRules },
    },
    requestID: '8f3e2d1c-4b5a-6978-8a9b-0c1d2e3f4a5b',
    eventID: eventId,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '123456789012',
    eventCategory: 'Management',
    tlsDetails: {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: 'ec2.eu-west-1.amazonaws.com',
    },
  };
}

/** The same call refused by EC2 (here: the rule already existed), as CloudTrail records it. */
export function failedAuthorizeIngressDetail(): Record<string, unknown> {
  return {
    ...authorizeIngressDetail(),
    errorCode: 'Client.InvalidPermission.Duplicate',
    errorMessage:
      'the specified rule "peer: 0.0.0.0/0, TCP, from port: 22, to port: 22, ALLOW" already exists',
    responseElements: null,
  };
}

/** The record in the envelope that EventBridge delivers to the function, with the record's time and region. */
export function authorizeIngressEvent(
  detail: Record<string, unknown> = authorizeIngressDetail(),
): EventBridgeEvent<'AWS API Call via CloudTrail', Record<string, unknown>> {
  return eventBridgeEvent({
    detailType: 'AWS API Call via CloudTrail',
    source: 'aws.ec2',
    detail,
    time: new Date(EVENT_TIME),
    region: 'eu-west-1',
    resources: [],
  });
}
