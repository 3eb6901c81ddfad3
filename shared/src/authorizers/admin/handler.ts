import { authorizerHandler } from '../authorizer-handler';
import { readPeopleTokenConfig } from '../people/config';
import { createPeopleTokenVerifier } from '../people/token-verifier';
import { createAdminAuthorizer } from './authorizer';
import { readAdminConfig } from './config';

// Built at cold start: the verifier and its JWKS cache are reused by every invocation of this container.
export const handler = authorizerHandler(
  createAdminAuthorizer({
    verifier: createPeopleTokenVerifier(readPeopleTokenConfig()),
    ...readAdminConfig(),
  }),
);
