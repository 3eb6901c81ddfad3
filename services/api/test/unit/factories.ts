import { type ApiGatewayProxyEventOptions, apiGatewayProxyEvent } from '@serverless-patterns/shared/testing';
import type { APIGatewayProxyEvent } from 'aws-lambda';

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

export interface RouteEventOptions
  extends Pick<ApiGatewayProxyEventOptions, 'method' | 'resource' | 'pathParameters' | 'body'> {
  /** The authorizer's context (a person by default); null: the request came without an authorizer. */
  authorizer?: Record<string, string> | null;
}

/** A request to one of the API's routes (`GET /devices` by default, with no body), as API Gateway passes it on. */
export function routeEvent({
  method = 'GET',
  resource = '/devices',
  body = null,
  authorizer = peopleContext(),
  pathParameters,
}: RouteEventOptions = {}): APIGatewayProxyEvent {
  return apiGatewayProxyEvent({
    method,
    resource,
    pathParameters,
    body,
    queryStringParameters: null,
    authorizer: authorizer ?? undefined,
  });
}
