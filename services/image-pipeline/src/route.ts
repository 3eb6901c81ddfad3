import { toHttpError } from '@serverless-patterns/shared/errors';
import { type HttpHandler, httpHandler } from '@serverless-patterns/shared/http';
import { instrumented, logger, MetricUnit, metrics } from '@serverless-patterns/shared/observability';

/** What every route of this service shares: logs, metrics and traces, and errors as `{ error: { code, message } }`. */
export function route(handle: HttpHandler): HttpHandler {
  return instrumented(httpHandler(handle, { onError: reportError }));
}

function reportError(error: unknown): void {
  const { statusCode, body } = toHttpError(error);
  if (statusCode < 500) {
    logger.info('request refused', { statusCode, code: body.error.code });
    return;
  }
  logger.error('request failed', { error });
  metrics.addMetric('UnexpectedErrors', MetricUnit.Count, 1);
}
