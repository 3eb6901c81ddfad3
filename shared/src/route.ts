import { toHttpError } from './errors';
import { type HttpHandler, httpHandler } from './http';
import { correlationPaths, instrumented, logger, MetricUnit, metrics, tracer } from './observability';

/**
 * What every API route shares, in every service: logs, metrics and traces, and errors as
 * `{ error: { code, message } }`.
 */
export function route(handle: HttpHandler): HttpHandler {
  return instrumented(httpHandler(handle, { onError: reportError }), {
    correlationIdPath: correlationPaths.apiGateway,
  });
}

function reportError(error: unknown): void {
  const { statusCode, body } = toHttpError(error);
  if (statusCode < 500) {
    logger.info('request refused', { statusCode, code: body.error.code });
    return;
  }
  logger.error('request failed', { error });
  // The invocation succeeds (with a 500), so the handler subsegment would not carry the error otherwise.
  tracer.addErrorAsMetadata(error as Error);
  // httpHandler answers these with a 500 instead of failing the invocation, so Lambda's Errors metric
  // never counts them: the canary deployments' alarms watch this metric as well.
  metrics.addMetric('UnexpectedErrors', MetricUnit.Count, 1);
}
