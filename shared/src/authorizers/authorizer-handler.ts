import type { APIGatewayAuthorizerResult, Context } from 'aws-lambda';
import { instrumented, logger } from '../observability';

/**
 * The Lambda handler around an authorizer core: logs, traces and metrics as every function has, and one
 * log line per refusal with its reason (never the token), since the caller only ever sees 401 or 403.
 */
export function authorizerHandler<E>(
  authorize: (event: E) => Promise<APIGatewayAuthorizerResult>,
): (event: E, context: Context) => Promise<APIGatewayAuthorizerResult> {
  return instrumented(async (event: E) => {
    try {
      const result = await authorize(event);
      const denied = result.policyDocument.Statement.some((statement) => statement.Effect === 'Deny');
      if (denied) logger.info('authorizer denied', { principalId: result.principalId });
      return result;
    } catch (error) {
      if (error instanceof Error && error.message === 'Unauthorized') {
        logger.info('authorizer refused the token', { reason: describe(error.cause) });
      } else {
        logger.error('authorizer failed', { error });
      }
      throw error;
    }
  });
}

function describe(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const cause = describe(error.cause);
  return cause === undefined
    ? `${error.name}: ${error.message}`
    : `${error.name}: ${error.message} <- ${cause}`;
}
