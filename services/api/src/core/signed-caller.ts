import { UnauthorizedError } from '@serverless-patterns/shared/errors';

// Who called an IAM-authorized route (`authorizer: aws_iam`), as API Gateway puts it into
// requestContext.identity once it has verified the SigV4 signature and the role's execute-api:Invoke
// policy. For credentials of a Cognito identity pool, userArn is the assumed role's session
// (arn:aws:sts::<account>:assumed-role/<role>/CognitoIdentityCredentials), and the cognito* fields name
// the identity, its pool and the provider the person signed in with.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html#context-variable-reference

/** The fields of requestContext.identity this service reads; API Gateway sends null for absent ones. */
export interface RequestIdentity {
  accountId?: string | null;
  caller?: string | null;
  accessKey?: string | null;
  userArn?: string | null;
  cognitoIdentityId?: string | null;
  cognitoIdentityPoolId?: string | null;
  cognitoAuthenticationType?: string | null;
  cognitoAuthenticationProvider?: string | null;
}

export interface SignedCaller {
  /** The identity pool's id for this person: stable across sign-ins ('us-east-1:<uuid>'). */
  identityId: string;
  identityPoolId: string;
  /** 'authenticated' or 'unauthenticated' (a guest). */
  authenticationType: string;
  /** What the person signed in with (the user pool and its user, or an OIDC provider), '' for a guest. */
  authenticationProvider: string;
  /** The IAM role the credentials act as, by name. */
  role: string;
  /** The assumed role's session ARN, as API Gateway gives it. */
  userArn: string;
  /** '<role id>:<session name>'. */
  caller: string;
  accountId: string;
}

const ASSUMED_ROLE = /^arn:[\w-]+:sts::\d{12}:assumed-role\/([\w+=,.@-]+)\/[\w+=,.@-]+$/;

/**
 * The caller of an IAM-authorized route. A route reached without an identity pool's credentials (a
 * route configured without aws_iam, or another kind of IAM principal) is refused: the handler must not
 * run for a caller it cannot name.
 */
export function signedCallerFrom(identity: RequestIdentity | null | undefined): SignedCaller {
  const userArn = text(identity?.userArn);
  const role = ASSUMED_ROLE.exec(userArn)?.[1];
  const identityId = text(identity?.cognitoIdentityId);
  const identityPoolId = text(identity?.cognitoIdentityPoolId);
  if (role === undefined || identityId === '' || identityPoolId === '') {
    throw new UnauthorizedError('The request was not signed with credentials of an identity pool role');
  }
  return {
    identityId,
    identityPoolId,
    authenticationType: text(identity?.cognitoAuthenticationType),
    authenticationProvider: text(identity?.cognitoAuthenticationProvider),
    role,
    userArn,
    caller: text(identity?.caller),
    accountId: text(identity?.accountId),
  };
}

function text(value: string | null | undefined): string {
  return typeof value === 'string' ? value : '';
}
