import type { APIGatewayAuthorizerResult, StatementEffect } from 'aws-lambda';

// Lambda authorizer output: a principal, an IAM policy over execute-api:Invoke and a flat context.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html

/** Context values reach the integration as strings; API Gateway refuses objects and arrays (500). */
export type AuthorizerContext = Record<string, string | number | boolean>;

/** The parts of `arn:<partition>:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<resource path>`. */
export interface MethodArn {
  partition: string;
  region: string;
  accountId: string;
  apiId: string;
  stage: string;
  method: string;
  /** Starts with '/'; '/' for the root resource. */
  resourcePath: string;
}

// serverless-offline fills account and API id with placeholders ("random-account-id"), so only the
// shape is checked here; the values come from API Gateway, not from the caller.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/arn-format-reference.html
const METHOD_ARN = /^arn:([a-z-]+):execute-api:([^:]+):([^:]+):([^/:]+)\/([^/]+)\/([^/]+)(\/.*)?$/;

/**
 * Throwing exactly this message is how a Lambda authorizer makes API Gateway answer 401; any other
 * error becomes a 500 (serverless-offline answers 401 to every error).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html
 */
export function unauthorized(cause?: unknown): Error {
  // The cause never reaches the caller; the handler logs it so that a 401 can be explained.
  return new Error('Unauthorized', cause === undefined ? undefined : { cause });
}

/** The method ARN API Gateway sent; an unexpected shape is refused (401) rather than guessed at. */
export function parseMethodArn(methodArn: string): MethodArn {
  const match = METHOD_ARN.exec(methodArn);
  if (!match) throw unauthorized();
  const [, partition, region, accountId, apiId, stage, method, resourcePath] = match;
  if (!partition || !region || !accountId || !apiId || !stage || !method) throw unauthorized();
  return { partition, region, accountId, apiId, stage, method, resourcePath: resourcePath ?? '/' };
}

function apiPrefix({ partition, region, accountId, apiId, stage }: MethodArn): string {
  return `arn:${partition}:execute-api:${region}:${accountId}:${apiId}/${stage}`;
}

/**
 * Every method and path of the API's stage. API Gateway caches an authorizer's policy per identity
 * source and applies the cached policy to the next route the same token calls, so a policy naming
 * only the method that was called would deny the caller's other routes until the cache expires.
 * https://repost.aws/knowledge-center/api-gateway-lambda-authorization-errors
 */
export function wholeApiArn(methodArn: MethodArn): string {
  return `${apiPrefix(methodArn)}/*`;
}

/** One method on one concrete path of the same API and stage; `path` starts with '/'. */
export function routeArn(methodArn: MethodArn, method: string, path: string): string {
  return `${apiPrefix(methodArn)}/${method}${path}`;
}

export function policy(
  effect: StatementEffect,
  principalId: string,
  resource: string,
  context?: AuthorizerContext,
): APIGatewayAuthorizerResult {
  return {
    principalId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
    },
    ...(context === undefined ? {} : { context }),
  };
}
