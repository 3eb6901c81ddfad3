import type { APIGatewayRequestAuthorizerEvent, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';

// apigateway-authorizer.json and apigateway-request-authorizer.json, the input of a REST API's Lambda
// authorizers: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html

export interface TokenAuthorizerEventOptions {
  /** The identity source's value as the client sent it, e.g. `Bearer <jwt>`. */
  authorizationToken?: string;
  methodArn?: string;
}

export function tokenAuthorizerEvent(
  options: TokenAuthorizerEventOptions = {},
): APIGatewayTokenAuthorizerEvent {
  const {
    authorizationToken = 'incoming-client-token',
    methodArn = 'arn:aws:execute-api:us-east-1:123456789012:example/prod/POST/{proxy+}',
  } = options;
  return { type: 'TOKEN', authorizationToken, methodArn };
}

export interface RequestAuthorizerEventOptions {
  /** The method called; the event's method, path, stage, API id and account follow from it. */
  methodArn?: string;
  /** The route as declared; by default the path the ARN names. */
  resource?: string;
  headers?: Record<string, string> | null;
  queryStringParameters?: Record<string, string> | null;
  pathParameters?: Record<string, string> | null;
  stageVariables?: Record<string, string> | null;
  /** Merged last over the request context. */
  requestContext?: Partial<APIGatewayRequestAuthorizerEvent['requestContext']>;
}

export function requestAuthorizerEvent(
  options: RequestAuthorizerEventOptions = {},
): APIGatewayRequestAuthorizerEvent {
  const {
    methodArn = 'arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/request',
    headers = {
      'X-AMZ-Date': '20170718T062915Z',
      Accept: '*/*',
      HeaderAuth1: 'headerValue1',
      'CloudFront-Viewer-Country': 'US',
      'CloudFront-Forwarded-Proto': 'https',
      'CloudFront-Is-Tablet-Viewer': 'false',
      'CloudFront-Is-Mobile-Viewer': 'false',
      'User-Agent': '...',
    },
    queryStringParameters = { QueryString1: 'queryValue1' },
    pathParameters = {},
    stageVariables = { StageVar1: 'stageValue1' },
  } = options;
  const { accountId, apiId, stage, httpMethod, path } = parseMethodArn(methodArn);
  const resource = options.resource ?? path;
  // The sample has no multi-value maps and a shorter request context than @types/aws-lambda declares
  // (no protocol, request time or caller details but the API key, source IP and client certificate).
  return {
    type: 'REQUEST',
    methodArn,
    resource,
    path,
    httpMethod,
    headers,
    queryStringParameters,
    pathParameters,
    stageVariables,
    requestContext: {
      path,
      accountId,
      resourceId: '05c7jb',
      stage,
      requestId: '...',
      identity: {
        apiKey: '...',
        sourceIp: '...',
        clientCert: {
          clientCertPem: 'CERT_CONTENT',
          subjectDN: 'www.example.com',
          issuerDN: 'Example issuer',
          serialNumber: 'a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1',
          validity: { notBefore: 'May 28 12:30:02 2019 GMT', notAfter: 'Aug  5 09:36:04 2021 GMT' },
        },
      },
      resourcePath: resource,
      httpMethod,
      apiId,
      ...options.requestContext,
    },
  } as APIGatewayRequestAuthorizerEvent;
}

/** `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{method}/{path}` */
function parseMethodArn(methodArn: string) {
  const [, , , , accountId = '', route = ''] = methodArn.split(':');
  const [apiId = '', stage = '', httpMethod = '', ...pathSegments] = route.split('/');
  return { accountId, apiId, stage, httpMethod, path: `/${pathSegments.join('/')}` };
}
