import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';

// Service name, metrics namespace and log level come from the POWERTOOLS_* variables that
// serverless.common.yml sets for every function, so these three are configured once.
export const logger = new Logger();
export const metrics = new Metrics();
export const tracer = new Tracer();

export { MetricUnit };

type LambdaHandler<E, R> = (event: E, context: Context) => Promise<R>;

/**
 * Wraps a handler with what every function needs: the Lambda context in each log line,
 * a cold-start metric and annotation, and the EMF metrics flushed when the invocation ends.
 */
export function instrumented<E, R>(handler: LambdaHandler<E, R>): LambdaHandler<E, R> {
  return async (event, context) => {
    logger.addContext(context);
    tracer.annotateColdStart();
    tracer.addServiceNameAnnotation();
    metrics.captureColdStartMetric();
    try {
      return await handler(event, context);
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}
