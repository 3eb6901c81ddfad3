import type { APIGatewayEventDefaultAuthorizerContext, APIGatewayProxyEvent } from 'aws-lambda';
import { payloadText } from './payload';

export interface ApiGatewayProxyEventOptions {
  method?: string;
  /** The route as declared, with its `{parameters}`, e.g. `/devices/{deviceId}`. */
  resource?: string;
  /** By default `resource` with `pathParameters` filled in. */
  path?: string;
  pathParameters?: Record<string, string> | null;
  queryStringParameters?: Record<string, string> | null;
  headers?: Record<string, string>;
  /** A string is sent as it is, null as no body, anything else as JSON. */
  body?: unknown;
  /** By default true only for the sample's own (base64) body. */
  isBase64Encoded?: boolean;
  /**
   * What the authorizer passed on; the sample has none. A Lambda authorizer's context arrives with
   * every value turned into a string.
   */
  authorizer?: APIGatewayEventDefaultAuthorizerContext;
  stage?: string;
  stageVariables?: Record<string, string> | null;
  /** Merged last over the request context (identity, request id, times). */
  requestContext?: Partial<APIGatewayProxyEvent['requestContext']>;
}

// apigateway-aws-proxy.json, a REST API proxy integration's input:
// https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format
const SAMPLE_RESOURCE = '/{proxy+}';
const SAMPLE_PATH = '/path/to/resource';
const SAMPLE_BODY = 'eyJ0ZXN0IjoiYm9keSJ9';
const SAMPLE_HEADERS: Readonly<Record<string, string>> = {
  Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,*/*;q=0.8',
  'Accept-Encoding': 'gzip, deflate, sdch',
  'Accept-Language': 'en-US,en;q=0.8',
  'Cache-Control': 'max-age=0',
  'CloudFront-Forwarded-Proto': 'https',
  'CloudFront-Is-Desktop-Viewer': 'true',
  'CloudFront-Is-Mobile-Viewer': 'false',
  'CloudFront-Is-SmartTV-Viewer': 'false',
  'CloudFront-Is-Tablet-Viewer': 'false',
  'CloudFront-Viewer-Country': 'US',
  Host: '1234567890.execute-api.amazonaws.com',
  'Upgrade-Insecure-Requests': '1',
  'User-Agent': 'Custom User Agent String',
  Via: '1.1 08f323deadbeefa7af34d5feb414ce27.cloudfront.net (CloudFront)',
  'X-Amz-Cf-Id': 'cDehVQoZnx43VYQb9j2-nvCh-9z396Uhbp027Y2JvkCPNLmGJHqlaA==',
  'X-Forwarded-For': '127.0.0.1, 127.0.0.2',
  'X-Forwarded-Port': '443',
  'X-Forwarded-Proto': 'https',
};

// The sample's caller; @types/aws-lambda also declares apiKey, apiKeyId, clientCert and principalOrgId,
// which the sample (a request without an API key or a client certificate) does not carry.
const SAMPLE_IDENTITY = {
  cognitoIdentityPoolId: null,
  accountId: null,
  cognitoIdentityId: null,
  caller: null,
  accessKey: null,
  sourceIp: '127.0.0.1',
  cognitoAuthenticationType: null,
  cognitoAuthenticationProvider: null,
  userArn: null,
  userAgent: 'Custom User Agent String',
  user: null,
} as APIGatewayProxyEvent['requestContext']['identity'];

/** A REST API proxy request: by default the sample's, or the route and payload a test names. */
export function apiGatewayProxyEvent(options: ApiGatewayProxyEventOptions = {}): APIGatewayProxyEvent {
  const {
    method = 'POST',
    resource = SAMPLE_RESOURCE,
    queryStringParameters = { foo: 'bar' },
    headers = SAMPLE_HEADERS,
    authorizer,
    stage = 'prod',
    stageVariables = { baz: 'qux' },
  } = options;
  // The sample's path parameters belong to its own resource; a route a test names has none unless given.
  const pathParameters =
    options.pathParameters !== undefined
      ? options.pathParameters
      : options.resource === undefined
        ? { proxy: SAMPLE_PATH }
        : null;
  const path =
    options.path ?? (options.resource === undefined ? SAMPLE_PATH : fillPath(resource, pathParameters));
  const body =
    options.body === undefined ? SAMPLE_BODY : options.body === null ? null : payloadText(options.body);
  return {
    body,
    resource,
    path,
    httpMethod: method,
    isBase64Encoded: options.isBase64Encoded ?? options.body === undefined,
    queryStringParameters,
    multiValueQueryStringParameters: queryStringParameters && multiValue(queryStringParameters),
    pathParameters,
    stageVariables,
    headers: { ...headers },
    multiValueHeaders: multiValue(headers),
    requestContext: {
      accountId: '123456789012',
      resourceId: '123456',
      stage,
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      requestTime: '09/Apr/2015:12:34:56 +0000',
      requestTimeEpoch: 1428582896000,
      identity: { ...SAMPLE_IDENTITY },
      path: `/${stage}${path}`,
      resourcePath: resource,
      httpMethod: method,
      apiId: '1234567890',
      protocol: 'HTTP/1.1',
      authorizer,
      ...options.requestContext,
    },
  };
}

/** `/devices/{deviceId}` with `{ deviceId: 'd-1' }` is `/devices/d-1`; a greedy `{proxy+}` is filled too. */
function fillPath(resource: string, pathParameters: Record<string, string> | null): string {
  return resource.replace(
    /\{([^}+]+)\+?\}/g,
    (placeholder, name: string) => pathParameters?.[name] ?? placeholder,
  );
}

function multiValue(values: Readonly<Record<string, string>>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, [value]]));
}
