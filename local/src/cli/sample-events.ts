import {
  apiGatewayProxyEvent,
  dynamoDbStreamEvent,
  eventBridgeEvent,
  firehoseTransformationEvent,
  kinesisEvent,
  s3DeleteEvent,
  s3PutEvent,
  scheduledEvent,
  snsEvent,
  sqsEvent,
} from '@serverless-patterns/shared/testing';
import type { PreSignUpTriggerEvent } from 'aws-lambda';

/**
 * Sample events for `npm run event` and `npm run invoke --event -`, built by the same builders the
 * test suites use (@serverless-patterns/shared/testing), which follow AWS's published samples field by
 * field. Each source has its types; options change the parts people change.
 */
export interface SampleEventOptions {
  bucket?: string;
  key?: string;
  stream?: string;
  /** A record's payload: JSON when it parses, text otherwise. */
  body?: string;
  method?: string;
  path?: string;
}

type Build = (options: SampleEventOptions) => unknown;

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

const payloadOf = (body: string | undefined, fallback: unknown): unknown => {
  if (body === undefined) return fallback;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
};
const streamArn = (service: 'kinesis' | 'firehose', name: string | undefined) =>
  name === undefined
    ? undefined
    : `arn:aws:${service}:${REGION}:${ACCOUNT}:${service === 'kinesis' ? 'stream' : 'deliverystream'}/${name}`;
const s3Object = ({ bucket, key }: SampleEventOptions) => ({
  ...(bucket === undefined ? {} : { bucket }),
  ...(key === undefined ? {} : { key }),
});

export const SAMPLE_EVENTS: Record<string, Record<string, Build>> = {
  s3: {
    put: (options) => s3PutEvent(s3Object(options)),
    delete: (options) => s3DeleteEvent(s3Object(options)),
  },
  kinesis: {
    record: ({ stream, body }) => {
      const arn = streamArn('kinesis', stream);
      return kinesisEvent({ data: payloadOf(body, { hello: 'world' }), ...(arn ? { streamArn: arn } : {}) });
    },
  },
  dynamodb: {
    insert: () => dynamoDbStreamEvent({ eventName: 'INSERT' }),
    modify: () => dynamoDbStreamEvent({ eventName: 'MODIFY' }),
    remove: () => dynamoDbStreamEvent({ eventName: 'REMOVE' }),
  },
  sqs: { message: ({ body }) => sqsEvent({ body: payloadOf(body, { hello: 'world' }) }) },
  sns: { notification: ({ body }) => snsEvent({ message: payloadOf(body, 'Hello from SNS!') }) },
  eventbridge: {
    scheduled: () => scheduledEvent(),
    cloudtrail: () => cloudTrailEvent(),
  },
  apigateway: {
    proxy: ({ method, path, body }) =>
      apiGatewayProxyEvent({
        ...(method === undefined ? {} : { method: method.toUpperCase() }),
        ...(path === undefined ? {} : { path }),
        ...(body === undefined ? {} : { body: payloadOf(body, undefined) }),
      }),
  },
  firehose: {
    transformation: ({ stream, body }) => {
      const arn = streamArn('firehose', stream);
      const event = firehoseTransformationEvent({ data: payloadOf(body, { hello: 'world' }) });
      return arn === undefined ? event : { ...event, deliveryStreamArn: arn };
    },
  },
  cognito: { 'pre-sign-up': () => preSignUpEvent() },
};

/** The event, or an error naming what exists. */
export function sampleEvent(source: string, type: string, options: SampleEventOptions = {}): unknown {
  const types = SAMPLE_EVENTS[source];
  if (types === undefined)
    throw new Error(`unknown source '${source}'; sources: ${Object.keys(SAMPLE_EVENTS).join(', ')}`);
  const build = types[type];
  if (build === undefined)
    throw new Error(`unknown ${source} type '${type}'; types: ${Object.keys(types).join(', ')}`);
  return build(options);
}

/**
 * An "AWS API Call via CloudTrail" event for a world-open SSH rule, as EventBridge delivers CloudTrail's
 * record (the record's fields as in AWS's AuthorizeSecurityGroupIngress samples).
 */
function cloudTrailEvent() {
  return eventBridgeEvent({
    detailType: 'AWS API Call via CloudTrail',
    source: 'aws.ec2',
    resources: [],
    detail: {
      eventVersion: '1.08',
      userIdentity: {
        type: 'IAMUser',
        principalId: 'AIDAEXAMPLEPRINCIPAL',
        arn: `arn:aws:iam::${ACCOUNT}:user/operator`,
        accountId: ACCOUNT,
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        userName: 'operator',
      },
      eventTime: '1970-01-01T00:00:00Z',
      eventSource: 'ec2.amazonaws.com',
      eventName: 'AuthorizeSecurityGroupIngress',
      awsRegion: REGION,
      sourceIPAddress: '198.51.100.20',
      userAgent: 'aws-cli/2.15.0',
      requestParameters: {
        groupId: 'sg-0123456789abcdef0',
        ipPermissions: {
          items: [
            {
              ipProtocol: 'tcp',
              fromPort: 22,
              toPort: 22,
              groups: {},
              ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] },
              ipv6Ranges: {},
              prefixListIds: {},
            },
          ],
        },
      },
      responseElements: {
        requestId: '2be70b99-4937-4a76-b7d9-390b6d0eda73',
        _return: true,
        securityGroupRuleSet: {
          items: [
            {
              groupOwnerId: ACCOUNT,
              groupId: 'sg-0123456789abcdef0',
              securityGroupRuleId: 'sgr-0123456789abcdef0',
              isEgress: false,
              ipProtocol: 'tcp',
              fromPort: 22,
              toPort: 22,
              cidrIpv4: '0.0.0.0/0',
            },
          ],
        },
      },
      requestID: '2be70b99-4937-4a76-b7d9-390b6d0eda73',
      eventID: '42155429-7e8e-43b5-9b5e-6953f80d51d5',
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: 'Management',
    },
  });
}

// https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-sign-up.html
function preSignUpEvent(): PreSignUpTriggerEvent {
  return {
    version: '1',
    region: REGION,
    userPoolId: `${REGION}_EXAMPLE`,
    userName: 'person@example.com',
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'exampleclientid' },
    triggerSource: 'PreSignUp_SignUp',
    request: { userAttributes: { email: 'person@example.com' }, validationData: {} },
    response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
  };
}
