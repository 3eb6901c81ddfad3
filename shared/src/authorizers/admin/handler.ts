import { createAdminAuthorizer } from './admin';
import { authorizerHandler } from './authorizer-handler';
import { readAdminConfig, readPeopleTokenConfig } from './config';
import { createPeopleTokenVerifier } from './people-token';

// Built at cold start: the verifier and its JWKS cache are reused by every invocation of this container.
export const handler = authorizerHandler(
  createAdminAuthorizer({
    verifier: createPeopleTokenVerifier(readPeopleTokenConfig()),
    ...readAdminConfig(),
  }),
);
