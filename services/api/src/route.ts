import { toHttpError } from '@serverless-patterns/shared/errors';
import { type HttpHandler, httpHandler, parseJsonBody } from '@serverless-patterns/shared/http';
import { instrumented, logger, MetricUnit, metrics } from '@serverless-patterns/shared/observability';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { z } from 'zod';

/** What every route of this API shares: logs, metrics and traces, and errors as `{ error: { code, message } }`. */
export function route(handle: HttpHandler): HttpHandler {
  return instrumented(httpHandler(handle, { onError: reportError }));
}

/**
 * The request body as JSON: a 400 when it is missing or malformed, a 413 above 64 KiB. Its shape is
 * the core's to validate, so that every caller of the core gets the same checks.
 */
export function jsonBody(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): unknown {
  return parseJsonBody(event, z.unknown());
}

function reportError(error: unknown): void {
  const { statusCode, body } = toHttpError(error);
  if (statusCode < 500) {
    logger.info('request refused', { statusCode, code: body.error.code });
    return;
  }
  logger.error('request failed', { error });
  // httpHandler answers these with a 500 instead of failing the invocation, so Lambda's Errors metric
  // never counts them: the canary deployments' alarm watches this metric as well.
  metrics.addMetric('UnexpectedErrors', MetricUnit.Count, 1);
}
