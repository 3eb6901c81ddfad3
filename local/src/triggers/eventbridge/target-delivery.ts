import { functionNameFromArn } from '../../lambda/function-arn';
import type { FailureDestination, LambdaInvoker } from '../../lambda/invoker';
import type { EventRule, RuleTarget } from './rules';

export interface TimerHandle {
  cancel(): void;
}

/** Schedules `callback` after `delayMs`; tests pass a fake one so that nothing waits for real time. */
export type SetTimer = (callback: () => void, delayMs: number) => TimerHandle;

/** setTimeout, unref'd so that a pending schedule does not keep the process alive. */
export const systemTimer: SetTimer = (callback, delayMs) => {
  const timeout = setTimeout(callback, delayMs);
  timeout.unref();
  return { cancel: () => clearTimeout(timeout) };
};

export type Log = (message: string, details?: Record<string, unknown>) => void;

export interface TargetDeliveryOptions {
  invoker: LambdaInvoker;
  /** Where a target's DeadLetterConfig.Arn (an SQS queue) receives the events that could not be delivered. */
  failureDestination?: FailureDestination;
  clock?: () => Date;
  setTimer?: SetTimer;
  /**
   * AWS retries a failed delivery with backoff for up to 185 attempts over 24 hours by default; locally
   * at most this many retries are made (default 2), `retryDelayMs` apart, doubling each time (default 1 s),
   * so that an event reaches its dead-letter queue in seconds rather than a day.
   * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html
   */
  maxLocalRetries?: number;
  retryDelayMs?: number;
  log?: Log;
}

export type DeliveryStatus =
  | 'delivered'
  | 'function-error'
  | 'sent-to-dead-letter-queue'
  | 'dropped'
  | 'not-emulated';

export interface DeliveryOutcome {
  ruleName: string;
  targetId: string;
  status: DeliveryStatus;
  attempts: number;
  /** The function's error (Lambda's X-Amz-Function-Error) or why delivery failed. */
  error?: string;
}

export interface TargetDelivery {
  /** Delivers `event` to every target of `rule`; resolves once each target is delivered or given up on. */
  deliverToRule(rule: EventRule, event: object): Promise<DeliveryOutcome[]>;
  deliver(rule: EventRule, target: RuleTarget, event: object): Promise<DeliveryOutcome>;
}

const AWS_DEFAULT_RETRY_ATTEMPTS = 185;
const AWS_DEFAULT_EVENT_AGE_SECONDS = 86_400;

/**
 * Sends events to rule targets as EventBridge does. EventBridge invokes Lambda asynchronously: its
 * RetryPolicy and dead-letter queue cover failures to hand the event to Lambda (the invoker throws),
 * while errors of the function itself are Lambda's to retry and route to the function's own
 * on-failure destination. To get those, pass an invoker that queues the event for asynchronous
 * invocation; a synchronous invoker's function errors are reported as `function-error`.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
 */
export function createTargetDelivery(options: TargetDeliveryOptions): TargetDelivery {
  const {
    invoker,
    failureDestination,
    clock = () => new Date(),
    setTimer = systemTimer,
    maxLocalRetries = 2,
    retryDelayMs = 1_000,
    log = () => undefined,
  } = options;
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimer(resolve, ms));

  async function deliver(rule: EventRule, target: RuleTarget, event: object) {
    const outcome = (status: DeliveryStatus, attempts: number, error?: string): DeliveryOutcome => ({
      ruleName: rule.name,
      targetId: target.id,
      status,
      attempts,
      ...(error === undefined ? {} : { error }),
    });
    const problem = unsupportedTarget(target);
    const functionName = functionNameFromArn(target.arn);
    if (problem !== undefined || functionName === undefined) {
      log('event not delivered: target not emulated', { rule: rule.name, target: target.id, problem });
      return outcome('not-emulated', 0, problem);
    }
    const payload = targetPayload(target, event);
    const acceptedAt = clock().getTime();
    const maxRetries = Math.min(target.maximumRetryAttempts ?? AWS_DEFAULT_RETRY_ATTEMPTS, maxLocalRetries);
    const maxAgeMs = (target.maximumEventAgeInSeconds ?? AWS_DEFAULT_EVENT_AGE_SECONDS) * 1000;
    let attempts = 0;
    for (;;) {
      attempts += 1;
      try {
        const result = await invoker.invoke(functionName, payload);
        if (result.functionError === undefined) return outcome('delivered', attempts);
        log('target function failed', {
          rule: rule.name,
          function: functionName,
          error: result.functionError,
        });
        return outcome('function-error', attempts, result.functionError);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const retry =
          isRetryable(error) && attempts <= maxRetries && clock().getTime() - acceptedAt < maxAgeMs;
        if (!retry) return giveUp(rule, target, event, attempts, message, outcome);
        log('event delivery failed, retrying', {
          rule: rule.name,
          target: target.id,
          attempts,
          error: message,
        });
        await sleep(retryDelayMs * 2 ** (attempts - 1));
      }
    }
  }

  async function giveUp(
    rule: EventRule,
    target: RuleTarget,
    event: object,
    attempts: number,
    error: string,
    outcome: (status: DeliveryStatus, attempts: number, error?: string) => DeliveryOutcome,
  ): Promise<DeliveryOutcome> {
    if (target.deadLetterArn === undefined) {
      log('event dropped after failed delivery', { rule: rule.name, target: target.id, attempts, error });
      return outcome('dropped', attempts, error);
    }
    if (failureDestination === undefined) {
      log('event dropped: no failure destination to reach the dead-letter queue', {
        rule: rule.name,
        deadLetterArn: target.deadLetterArn,
      });
      return outcome('dropped', attempts, error);
    }
    try {
      // AWS adds RULE_ARN, TARGET_ARN, ERROR_CODE... as SQS message attributes, which
      // FailureDestination cannot carry: only the event itself is sent.
      await failureDestination.send(target.deadLetterArn, event);
      log('event sent to the dead-letter queue', { rule: rule.name, target: target.id, attempts, error });
      return outcome('sent-to-dead-letter-queue', attempts, error);
    } catch (sendError) {
      log('event dropped: the dead-letter queue refused it', { rule: rule.name, error: String(sendError) });
      return outcome('dropped', attempts, error);
    }
  }

  return {
    deliver,
    deliverToRule: (rule, event) => Promise.all(rule.targets.map((target) => deliver(rule, target, event))),
  };
}

/** One line per target that the local cloud will not invoke, with the reason; empty when all are emulated. */
export function targetWarnings(rules: readonly EventRule[]): string[] {
  return rules.flatMap((rule) =>
    rule.state !== 'ENABLED'
      ? []
      : rule.targets.flatMap((target) => {
          const problem = unsupportedTarget(target);
          return problem === undefined ? [] : [`rule ${rule.name}, target ${target.id}: ${problem}`];
        }),
  );
}

function unsupportedTarget(target: RuleTarget): string | undefined {
  if (functionNameFromArn(target.arn) === undefined) {
    return `not emulated: only Lambda function targets are invoked locally, not ${target.arn || '(no ARN)'}`;
  }
  if (target.inputTransformer !== undefined) {
    return 'not emulated: InputTransformer is not supported locally, so the target is not invoked';
  }
  if (target.input !== undefined && parseJson(target.input) === undefined) {
    return `Input is not valid JSON: ${target.input}`;
  }
  if (target.inputPath !== undefined && parseInputPath(target.inputPath) === undefined) {
    return `not emulated: InputPath ${target.inputPath} uses JSONPath beyond $.field, $['field'] and [index]`;
  }
  return undefined;
}

/**
 * Input (constant JSON) replaces the event; InputPath selects part of it.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
 */
export function targetPayload(target: RuleTarget, event: object): unknown {
  if (target.input !== undefined) return parseJson(target.input);
  if (target.inputPath !== undefined) {
    let value: unknown = event;
    for (const segment of parseInputPath(target.inputPath) ?? []) {
      value =
        typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[segment] : undefined;
    }
    return value ?? null;
  }
  return event;
}

function parseInputPath(path: string): string[] | undefined {
  if (!/^\$(?:\.[^.[\]*]+|\[\d+\]|\['[^']*'\]|\["[^"]*"\])*$/.test(path)) return undefined;
  const segments: string[] = [];
  for (const match of path.slice(1).matchAll(/\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/g)) {
    segments.push(match[1] ?? match[2] ?? match[3] ?? match[4] ?? '');
  }
  return segments;
}

/** A missing function or refused permission is not retried: it goes to the dead-letter queue at once. */
function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return true;
  const { name, $metadata } = error as { name?: unknown; $metadata?: { httpStatusCode?: unknown } };
  if (name === 'ResourceNotFoundException' || name === 'AccessDeniedException') return false;
  const status = $metadata?.httpStatusCode;
  return typeof status !== 'number' || status === 429 || status >= 500;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
