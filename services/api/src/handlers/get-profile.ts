import { httpHandler, json } from '@serverless-patterns/shared/http';
import { instrumented, logger } from '@serverless-patterns/shared/observability';
import { callerFromClaims, profileOf } from '../core/profile';

export const handler = instrumented(
  httpHandler(
    async (event) => json(200, profileOf(callerFromClaims(event.requestContext.authorizer?.claims))),
    { onError: (error) => logger.error('request failed', { error }) },
  ),
);
