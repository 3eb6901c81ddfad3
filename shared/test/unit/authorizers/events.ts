import { requestAuthorizerEvent, tokenAuthorizerEvent } from '../../../src/testing';

export const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/devices/dev-1';
export const WHOLE_API_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*';

/** The authorizers' events for one route of one API (METHOD_ARN) unless a test names another. */
export const tokenEvent = (authorizationToken: string, methodArn = METHOD_ARN) =>
  tokenAuthorizerEvent({ authorizationToken, methodArn });

export const requestEvent = (headers: Record<string, string> | null, methodArn = METHOD_ARN) =>
  requestAuthorizerEvent({ headers, methodArn });
