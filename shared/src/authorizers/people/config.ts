import { readOneOf, readString } from '../../config';
import { defaultJwksUri, type PeopleTokenOptions, TOKEN_USES } from './token-verifier';

// Read once at cold start by the handler; a missing or invalid variable fails the cold start with its
// name, rather than every request with a 401.

/**
 * PEOPLE_JWT_ISSUER (required), PEOPLE_JWT_AUDIENCE (required: the app client id),
 * PEOPLE_JWT_JWKS_URI (default <issuer>/.well-known/jwks.json),
 * PEOPLE_JWT_TOKEN_USE (id | access, default id).
 *
 * The portal sends the ID token: it carries email and cognito:groups, which the handlers show and use,
 * and Cognito binds it to the app client through `aud`. An access token is accepted instead with
 * PEOPLE_JWT_TOKEN_USE=access (then `client_id` is checked and email is '').
 */
export function readPeopleTokenConfig(env?: NodeJS.ProcessEnv): PeopleTokenOptions {
  const issuer = readString('PEOPLE_JWT_ISSUER', { env });
  return {
    issuer,
    jwksUri: readString('PEOPLE_JWT_JWKS_URI', { env, default: defaultJwksUri(issuer) }),
    clientId: readString('PEOPLE_JWT_AUDIENCE', { env }),
    tokenUse: readOneOf('PEOPLE_JWT_TOKEN_USE', TOKEN_USES, { env, default: 'id' }),
  };
}
