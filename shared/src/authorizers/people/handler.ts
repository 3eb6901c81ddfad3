import { authorizerHandler } from './authorizer-handler';
import { readPeopleTokenConfig } from './config';
import { createPeopleAuthorizer } from './people';
import { createPeopleTokenVerifier } from './people-token';

// Built at cold start: the verifier and its JWKS cache are reused by every invocation of this container.
export const handler = authorizerHandler(
  createPeopleAuthorizer({ verifier: createPeopleTokenVerifier(readPeopleTokenConfig()) }),
);
