import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

export const ADA = { userId: '7d8f3a2e-1b4c-4e5f-9a6b-0c1d2e3f4a5b', email: 'ada@example.com' } as const;
export const GRACE = { userId: '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9', email: 'grace@example.com' } as const;

/** The context the people authorizer passes on: API Gateway turns every value into a string. */
export function peopleContext(
  person: { userId: string; email: string } = ADA,
  groups: string[] = [],
): Record<string, string> {
  return { userId: person.userId, email: person.email, groups: groups.join(','), tokenUse: 'id' };
}

/** The context the admin authorizer passes on: the people context and its decision. */
export function adminContext(
  person: { userId: string; email: string } = ADA,
  isAdmin = true,
): Record<string, string> {
  return { ...peopleContext(person, isAdmin ? ['admins'] : []), isAdmin: String(isAdmin) };
}

export interface RouteEventOptions {
  method?: string;
  resource?: string;
  pathParameters?: Record<string, string> | null;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  /** The authorizer's context (a person by default); null: the request came without an authorizer. */
  authorizer?: Record<string, string> | null;
}

// Trimmed from the AWS sample event for a REST API proxy integration (apigateway-aws-proxy.json).
export function createRouteEvent({
  method = 'GET',
  resource = '/devices',
  pathParameters = null,
  body,
  authorizer = peopleContext(),
}: RouteEventOptions = {}): APIGatewayProxyEvent {
  const path = Object.entries(pathParameters ?? {}).reduce(
    (filled, [name, value]) => filled.replace(`{${name}}`, value),
    resource,
  );
  return {
    body: body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body),
    resource,
    path,
    httpMethod: method,
    isBase64Encoded: false,
    headers: { 'content-type': 'application/json' },
    multiValueHeaders: { 'content-type': ['application/json'] },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters,
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: '1234567890',
      authorizer: authorizer ?? undefined,
      protocol: 'HTTP/1.1',
      httpMethod: method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '127.0.0.1',
        user: null,
        userAgent: 'Custom User Agent String',
        userArn: null,
      },
      path: `/prod${path}`,
      stage: 'prod',
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      requestTime: '09/Apr/2015:12:34:56 +0000',
      requestTimeEpoch: 1428582896000,
      resourceId: '123456',
      resourcePath: resource,
    },
  };
}

export function createLambdaContext(overrides: Partial<Context> = {}): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'serverless-patterns-api-test-route',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:serverless-patterns-api-test-route',
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    logGroupName: '/aws/lambda/serverless-patterns-api-test-route',
    logStreamName: '2015/04/09/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 3000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...overrides,
  };
}
