import { randomUUID } from 'node:crypto';
import type { FailureDestination, LambdaInvoker } from './invoker';

/** A function's AWS::Lambda::EventInvokeConfig, with Lambda's defaults. */
export interface AsyncInvokeConfig {
  maximumRetryAttempts: number;
  maximumEventAgeInSeconds: number;
  onFailureDestination?: string;
  onSuccessDestination?: string;
}

export const DEFAULT_ASYNC_INVOKE_CONFIG: AsyncInvokeConfig = {
  maximumRetryAttempts: 2,
  maximumEventAgeInSeconds: 21_600,
};

/**
 * Lambda retries a failed asynchronous invocation twice, waiting about one minute and then two:
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
 * `delayScale` shortens those waits (tests use a small one; `npm start` keeps AWS's).
 */
const RETRY_DELAYS_MS = [60_000, 120_000];

export interface AsyncInvokerOptions {
  invoker: LambdaInvoker;
  destinations: FailureDestination;
  configFor(functionName: string): AsyncInvokeConfig;
  functionArn(functionName: string): string;
  delayScale?: number;
  clock?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  log?: (message: string, details?: Record<string, unknown>) => void;
}

/** Invocation type Event: accepted at once, retried on error, then sent to the on-failure destination. */
export function createAsyncInvoker(options: AsyncInvokerOptions) {
  const {
    invoker,
    destinations,
    delayScale = 1,
    clock = () => new Date(),
    sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    log = () => undefined,
  } = options;
  const pending = new Set<Promise<void>>();

  async function deliver(functionName: string, payload: unknown): Promise<void> {
    const config = options.configFor(functionName);
    const acceptedAt = clock().getTime();
    let attempts = 0;
    let lastError: { functionError: string; payload: unknown } | undefined;
    for (;;) {
      attempts += 1;
      try {
        const result = await invoker.invoke(functionName, payload);
        if (result.functionError === undefined) {
          if (config.onSuccessDestination) {
            await destinations.send(
              config.onSuccessDestination,
              destinationRecord('Success', functionName, payload, attempts, undefined, result.payload),
            );
          }
          return;
        }
        lastError = { functionError: result.functionError, payload: result.payload };
      } catch (error) {
        // The function's process died: Lambda counts that as a function error too.
        lastError = { functionError: 'Unhandled', payload: { errorMessage: String(error) } };
      }
      const ageSeconds = (clock().getTime() - acceptedAt) / 1000;
      const retriesLeft = attempts <= config.maximumRetryAttempts;
      if (!retriesLeft || ageSeconds >= config.maximumEventAgeInSeconds) {
        const condition = retriesLeft ? 'EventAgeExceeded' : 'RetriesExhausted';
        log('asynchronous invocation failed for good', { functionName, attempts, condition });
        if (config.onFailureDestination) {
          await destinations.send(
            config.onFailureDestination,
            destinationRecord(
              condition,
              functionName,
              payload,
              attempts,
              lastError.functionError,
              lastError.payload,
            ),
          );
        }
        return;
      }
      await sleep((RETRY_DELAYS_MS[attempts - 1] ?? 120_000) * delayScale);
    }
  }

  function destinationRecord(
    condition: string,
    functionName: string,
    requestPayload: unknown,
    approximateInvokeCount: number,
    functionError: string | undefined,
    responsePayload: unknown,
  ) {
    // https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
    return {
      version: '1.0',
      timestamp: clock().toISOString(),
      requestContext: {
        requestId: randomUUID(),
        functionArn: `${options.functionArn(functionName)}:$LATEST`,
        condition,
        approximateInvokeCount,
      },
      requestPayload,
      responseContext: {
        statusCode: 200,
        executedVersion: '$LATEST',
        ...(functionError === undefined ? {} : { functionError }),
      },
      responsePayload,
    };
  }

  return {
    /** Returns once the event is accepted (queued), as InvokeAsync does; delivery goes on in the background. */
    invokeAsync(functionName: string, payload: unknown): void {
      const delivery = deliver(functionName, payload).catch((error: unknown) =>
        log('asynchronous delivery crashed', { functionName, error: String(error) }),
      );
      pending.add(delivery);
      void delivery.finally(() => pending.delete(delivery));
    },
    /** Resolves when every accepted event has been delivered or given up on. */
    async drain(): Promise<void> {
      while (pending.size > 0) await Promise.all(pending);
    },
  };
}

export type AsyncInvoker = ReturnType<typeof createAsyncInvoker>;

/** Reads an EventInvokeConfig resource's resolved properties. */
export function asyncInvokeConfigFrom(properties: Record<string, unknown> | undefined): AsyncInvokeConfig {
  const destinationConfig = properties?.DestinationConfig as
    | { OnFailure?: { Destination?: string }; OnSuccess?: { Destination?: string } }
    | undefined;
  return {
    maximumRetryAttempts: Number(
      properties?.MaximumRetryAttempts ?? DEFAULT_ASYNC_INVOKE_CONFIG.maximumRetryAttempts,
    ),
    maximumEventAgeInSeconds: Number(
      properties?.MaximumEventAgeInSeconds ?? DEFAULT_ASYNC_INVOKE_CONFIG.maximumEventAgeInSeconds,
    ),
    ...(destinationConfig?.OnFailure?.Destination
      ? { onFailureDestination: destinationConfig.OnFailure.Destination }
      : {}),
    ...(destinationConfig?.OnSuccess?.Destination
      ? { onSuccessDestination: destinationConfig.OnSuccess.Destination }
      : {}),
  };
}
