import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { type AuthorizerContext, parseMethodArn, policy, unauthorized, wholeApiArn } from '../policy';
import { InvalidTokenError, type PeopleTokenVerifier, type VerifiedPerson } from './token-verifier';

/** The context the people authorizer hands to the integration (read it back with callerFrom). */
export interface PeopleContext extends AuthorizerContext {
  userId: string;
  /** '' when the token carries no email (access tokens). */
  email: string;
  /** cognito:groups joined with ','; '' for none. Context values cannot be arrays. */
  groups: string;
  tokenUse: string;
}

export interface PeopleAuthorizerDeps {
  verifier: PeopleTokenVerifier;
}

/**
 * TOKEN authorizer for people: `Authorization: Bearer <Cognito JWT>`. A bad token is a 401; a good one
 * is allowed on every route of the API's stage, so that the cached decision serves the caller's next
 * routes too (see wholeApiArn).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html
 */
export function createPeopleAuthorizer({ verifier }: PeopleAuthorizerDeps) {
  return async (event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    const methodArn = parseMethodArn(event.methodArn);
    const person = await verifyPerson(verifier, event.authorizationToken);
    return policy('Allow', person.userId, wholeApiArn(methodArn), peopleContext(person));
  };
}

/** The verified person, or the 401 error; outages are rethrown as they are (a 500). */
export async function verifyPerson(
  verifier: PeopleTokenVerifier,
  authorization: string | undefined,
): Promise<VerifiedPerson> {
  try {
    return await verifier.verifyAuthorization(authorization);
  } catch (error) {
    if (error instanceof InvalidTokenError) throw unauthorized(error);
    throw error;
  }
}

export function peopleContext({ userId, email, groups, tokenUse }: VerifiedPerson): PeopleContext {
  return { userId, email, groups: groups.join(','), tokenUse };
}
