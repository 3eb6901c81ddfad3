import { authorizerHandler } from '../authorizer-handler';
import { createPeopleAuthorizer } from './authorizer';
import { readPeopleTokenConfig } from './config';
import { createPeopleTokenVerifier } from './token-verifier';

// Built at cold start: the verifier and its JWKS cache are reused by every invocation of this container.
export const handler = authorizerHandler(
  createPeopleAuthorizer({ verifier: createPeopleTokenVerifier(readPeopleTokenConfig()) }),
);
