import { parseJsonBody } from '@serverless-patterns/shared/http';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { z } from 'zod';

export { route } from '@serverless-patterns/shared/route';

/**
 * The request body as JSON: a 400 when it is missing or malformed, a 413 above 64 KiB. Its shape is
 * the core's to validate, so that every caller of the core gets the same checks.
 */
export function jsonBody(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): unknown {
  return parseJsonBody(event, z.unknown());
}
