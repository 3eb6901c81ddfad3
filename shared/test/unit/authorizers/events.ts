import type { APIGatewayRequestAuthorizerEvent, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';

export const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/devices/dev-1';
export const WHOLE_API_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*';

export function tokenEvent(
  authorizationToken: string,
  methodArn = METHOD_ARN,
): APIGatewayTokenAuthorizerEvent {
  return { type: 'TOKEN', methodArn, authorizationToken };
}

// Trimmed from the AWS sample of a REST API REQUEST authorizer event.
export function requestEvent(
  headers: Record<string, string> | null,
  methodArn = METHOD_ARN,
): APIGatewayRequestAuthorizerEvent {
  const { pathname } = new URL(`http://api${methodArn.replace(/^[^/]*\/[^/]+\/[^/]+/, '')}`);
  return {
    type: 'REQUEST',
    methodArn,
    resource: pathname,
    path: pathname,
    httpMethod: methodArn.split('/')[2] ?? 'GET',
    headers,
    multiValueHeaders: null,
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: {} as APIGatewayRequestAuthorizerEvent['requestContext'],
  };
}
