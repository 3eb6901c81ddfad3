import { Logger } from '@aws-lambda-powertools/logger';
import { search } from '@aws-lambda-powertools/logger/correlationId';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

// Service name, metrics namespace and log level come from the POWERTOOLS_* variables that
// serverless.common.yml sets for every function, so these three are configured once.
// The search function lets the logger read a correlation id out of any event with JMESPath.
export const logger = new Logger({ correlationIdSearchFn: search });
// Its own notices (a missing namespace, a dimension CloudWatch would drop) as structured log lines.
export const metrics = new Metrics({ logger: emptyMetricsNoticeAtDebug(logger) });
export const tracer = new Tracer();
leaveUnreadTraceContext(tracer);

export { MetricUnit };

type UtilityLogger = NonNullable<NonNullable<ConstructorParameters<typeof Metrics>[0]>['logger']>;

/** How Powertools' notice of an invocation that published no application metric begins. */
export const EMPTY_METRICS_NOTICE = 'No application metrics to publish';

/**
 * Powertools warns after every invocation that added no metric. Here that is normal (a read adds none),
 * and a WARN line in every such invocation's log is noise that CloudWatch Logs bills, so that notice is
 * logged at DEBUG; every other notice stays a warning. A logger of one's own is how Powertools' authors
 * mean these notices to be tuned: https://github.com/aws-powertools/powertools-lambda-typescript/issues/2036
 */
export function emptyMetricsNoticeAtDebug(log: Logger): UtilityLogger {
  const at = (level: 'debug' | 'info' | 'warn' | 'error') => log[level].bind(log) as UtilityLogger['warn'];
  const debug = at('debug');
  const warn = at('warn');
  return {
    debug,
    info: at('info'),
    error: at('error'),
    warn: (...content) =>
      (typeof content[0] === 'string' && content[0].startsWith(EMPTY_METRICS_NOTICE) ? debug : warn)(
        ...content,
      ),
  };
}

/**
 * Where LAMBDA_TASK_ROOT is set (Lambda, and the local cloud, which sets what Lambda sets), the X-Ray
 * SDK enters a context as it loads and keeps it for the process's life; its async hooks (cls-hooked)
 * then store that context for every promise, timer and socket the function creates, and delete it
 * again. Powertools loads the SDK whether tracing is on or not. With tracing off
 * (POWERTOOLS_TRACE_ENABLED=false) nothing reads the context, so the process leaves it, and the hooks
 * find nothing to store (services/api/README.md, "Local performance", has the measured cost).
 */
export function leaveUnreadTraceContext(tracing: Tracer) {
  if (tracing.isTracingEnabled()) return;
  const namespace = tracing.provider.getNamespace();
  if (namespace.active) namespace.exit(namespace.active);
}

/**
 * Where each trigger's event carries the id that ties a request's log lines together, as JMESPath:
 * https://docs.powertools.aws.dev/lambda/typescript/latest/features/logger/#correlation-id
 */
export const correlationPaths = {
  /** API Gateway's request id, also in its access logs and in the x-amzn-RequestId response header. */
  apiGateway: 'requestContext.requestId',
  /** S3's request id of the call that changed the object. */
  s3: 'Records[0].responseElements."x-amz-request-id"',
  /** SQS message, or the event id of a Kinesis or DynamoDB Streams record (the batch's first). */
  batchRecord: 'Records[0].messageId || Records[0].eventID',
  /** EventBridge's event id (schedules, rules, CloudTrail events). */
  eventBridge: 'id',
  /** Firehose's invocation id, which its error records also carry. */
  firehose: 'invocationId',
} as const;

/** The first of these that the event has: the default for functions that do not name their own. */
const ANY_TRIGGER = Object.values(correlationPaths).join(' || ');

export interface InstrumentationOptions {
  /** JMESPath to the event's correlation id; functions whose event none of `correlationPaths` fits name theirs. */
  correlationIdPath?: string;
}

export type LambdaHandler<E, R> = (event: E, context: Context) => Promise<R>;

/**
 * What every function needs, as Powertools' authors intend it through Middy: a `## handler` X-Ray
 * subsegment that carries the cold-start and service annotations and the handler's error; the Lambda
 * context and a correlation id in every log line (cleared after each invocation); the EMF metrics
 * flushed when the invocation ends, with a ColdStart metric.
 * https://docs.powertools.aws.dev/lambda/typescript/latest/features/tracer/#lambda-handler
 */
export function createInstrumentation(tools: { logger: Logger; metrics: Metrics; tracer: Tracer }) {
  return function instrumented<E, R>(
    handler: LambdaHandler<E, R>,
    options: InstrumentationOptions = {},
  ): LambdaHandler<E, R> {
    return middy(handler)
      .use(captureLambdaHandler(tools.tracer))
      .use(
        injectLambdaContext(tools.logger, {
          correlationIdPath: options.correlationIdPath ?? ANY_TRIGGER,
          resetKeys: true,
        }),
      )
      .use(logMetrics(tools.metrics, { captureColdStartMetric: true }));
  };
}

export const instrumented = createInstrumentation({ logger, metrics, tracer });
