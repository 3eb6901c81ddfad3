import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { type PeopleContext, peopleContext, verifyPerson } from '../people/authorizer';
import type { PeopleTokenVerifier } from '../people/token-verifier';
import { parseMethodArn, policy, wholeApiArn } from '../policy';
import type { AdminAccess } from './access';

export interface AdminContext extends PeopleContext {
  /** Whether the caller is in the admin group; under any-signed-in-user it may be false on an Allow. */
  isAdmin: boolean;
}

export interface AdminAuthorizerDeps {
  verifier: PeopleTokenVerifier;
  adminGroup: string;
  access: AdminAccess;
}

/**
 * REQUEST authorizer for admin routes: verifies the same Cognito JWT as the people authorizer (401 when
 * it is bad), then applies the stage's policy: under admins-only a person outside the admin group gets
 * a Deny policy, which API Gateway answers with 403.
 *
 * API Gateway caches this decision for resultTtlInSeconds, keyed on the Authorization header, and
 * applies it to every admin route the same token calls meanwhile. Allow and Deny therefore name the
 * whole API stage, never only the method that was called, or the cache would refuse the other routes.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html
 */
export function createAdminAuthorizer({ verifier, adminGroup, access }: AdminAuthorizerDeps) {
  return async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    const methodArn = parseMethodArn(event.methodArn);
    const person = await verifyPerson(verifier, headerValue(event.headers, 'authorization'));
    const isAdmin = person.groups.includes(adminGroup);
    const resource = wholeApiArn(methodArn);
    if (access === 'admins-only' && !isAdmin) return policy('Deny', person.userId, resource);
    const context: AdminContext = { ...peopleContext(person), isAdmin };
    return policy('Allow', person.userId, resource, context);
  };
}

// REST API REQUEST authorizers receive headers with the client's own capitalisation.
function headerValue(headers: Record<string, string | undefined> | null, name: string): string | undefined {
  if (!headers) return undefined;
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}
