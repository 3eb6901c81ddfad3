import { randomUUID } from 'node:crypto';
import { functionArn, functionNameOf } from '../../lambda/function-arn';
import type { LambdaInvoker } from '../../lambda/invoker';
import type { TaskResource } from './definition';
import type { HistoryEventInput } from './history';

/**
 * A Task's failure as Step Functions reports it: `name` is the Error that Retry and Catch match,
 * `message` the Cause (aws-local-stepfunctions reads both from the thrown error).
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 */
export class TaskFailedError extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}

/** States.Runtime: neither retried nor caught, as in AWS (the library reads these two flags). */
export class StatesRuntimeError extends Error {
  override name = 'States.Runtime';
  readonly isRetryable = false;
  readonly isCatchable = false;
}

export interface LambdaTaskDependencies {
  invoker: LambdaInvoker;
  /** Whether a local service serves this function (by physical name). */
  hasFunction(functionName: string): boolean;
  /** InvocationType Event: accepted at once, retried by Lambda's own asynchronous rules. */
  invokeAsync?(functionName: string, payload: unknown): void;
  region: string;
  accountId: string;
  /** Receives the Task's history events (TaskScheduled, LambdaFunctionSucceeded, ...). */
  record(event: HistoryEventInput): void;
  requestId?: () => string;
  clock?: () => Date;
}

/** Runs one Task state's Lambda call and returns its output, or throws its AWS error. */
export async function runLambdaTask(
  resource: TaskResource,
  input: unknown,
  dependencies: LambdaTaskDependencies,
): Promise<unknown> {
  switch (resource.kind) {
    case 'lambda-invoke':
      return runLambdaInvoke(input, dependencies);
    case 'lambda-function':
      return runLambdaFunction(resource.functionName, input, dependencies);
    default:
      throw new StatesRuntimeError(
        `The local cloud runs Lambda tasks only; ${resource.resource} is not emulated.`,
      );
  }
}

interface InvokeParameters {
  FunctionName?: unknown;
  Payload?: unknown;
  InvocationType?: unknown;
}

/**
 * The optimized integration arn:aws:states:::lambda:invoke: the output is Lambda's Invoke response
 * with the Payload parsed as JSON; a function error fails the Task with the function's errorType.
 * https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
 */
async function runLambdaInvoke(input: unknown, dependencies: LambdaTaskDependencies): Promise<unknown> {
  const details = { resourceType: 'lambda', resource: 'invoke' };
  const parameters = (input ?? {}) as InvokeParameters;
  const { record } = dependencies;
  record({
    type: 'TaskScheduled',
    taskScheduledEventDetails: { ...details, region: dependencies.region, parameters: JSON.stringify(input) },
  });
  const fail = (error: string, cause: string): never => {
    record({ type: 'TaskFailed', taskFailedEventDetails: { ...details, error, cause } });
    throw new TaskFailedError(error, cause);
  };
  if (typeof parameters.FunctionName !== 'string') {
    return fail('States.Runtime', 'lambda:invoke needs a FunctionName parameter (string)');
  }
  const functionName = functionNameOf(parameters.FunctionName);
  if (functionName === undefined || !dependencies.hasFunction(functionName)) {
    const [error, cause] = functionNotFound(parameters.FunctionName, dependencies);
    return fail(error, cause);
  }
  record({ type: 'TaskStarted', taskStartedEventDetails: details });
  const payload = parameters.Payload ?? {};
  const requestId = (dependencies.requestId ?? randomUUID)();
  if (parameters.InvocationType === 'Event' && dependencies.invokeAsync) {
    dependencies.invokeAsync(functionName, payload);
    const output = invokeResponse('', 202, requestId, dependencies.clock?.() ?? new Date());
    record({ type: 'TaskSucceeded', taskSucceededEventDetails: { ...details, ...outputOf(output) } });
    return output;
  }
  const outcome = await invokeOnce(functionName, payload, dependencies);
  if ('error' in outcome) return fail(outcome.error, outcome.cause);
  const output = invokeResponse(outcome.payload, 200, requestId, dependencies.clock?.() ?? new Date());
  record({ type: 'TaskSucceeded', taskSucceededEventDetails: { ...details, ...outputOf(output) } });
  return output;
}

/** A function ARN as Resource: the function's result is the Task's result, unwrapped. */
async function runLambdaFunction(
  functionName: string,
  input: unknown,
  dependencies: LambdaTaskDependencies,
): Promise<unknown> {
  const { record } = dependencies;
  const resource = functionArn(dependencies.region, dependencies.accountId, functionName);
  if (!dependencies.hasFunction(functionName)) {
    const [error, cause] = functionNotFound(resource, dependencies);
    record({
      type: 'LambdaFunctionScheduleFailed',
      lambdaFunctionScheduleFailedEventDetails: { error, cause },
    });
    throw new TaskFailedError(error, cause);
  }
  record({
    type: 'LambdaFunctionScheduled',
    lambdaFunctionScheduledEventDetails: {
      resource,
      input: JSON.stringify(input),
      inputDetails: { truncated: false },
    },
  });
  record({ type: 'LambdaFunctionStarted' });
  const outcome = await invokeOnce(functionName, input, dependencies);
  if ('error' in outcome) {
    record({ type: 'LambdaFunctionFailed', lambdaFunctionFailedEventDetails: outcome });
    throw new TaskFailedError(outcome.error, outcome.cause);
  }
  record({ type: 'LambdaFunctionSucceeded', lambdaFunctionSucceededEventDetails: outputOf(outcome.payload) });
  return outcome.payload ?? null;
}

type InvokeOutcome = { payload: unknown } | { error: string; cause: string };

/**
 * One synchronous invocation. A function error becomes Error = its errorType and Cause = its error
 * payload as JSON, as Step Functions reports it; a Lambda that cannot be reached is a
 * Lambda.ServiceException, the transient error AWS advises retrying.
 * https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html
 */
async function invokeOnce(
  functionName: string,
  payload: unknown,
  dependencies: LambdaTaskDependencies,
): Promise<InvokeOutcome> {
  try {
    const result = await dependencies.invoker.invoke(functionName, payload);
    if (result.functionError === undefined) return { payload: result.payload };
    return functionErrorOf(result.functionError, result.payload);
  } catch (error) {
    const requestId = (dependencies.requestId ?? randomUUID)();
    return {
      error: 'Lambda.ServiceException',
      cause: `${error instanceof Error ? error.message : String(error)} (Service: AWSLambda; Status Code: 500; Error Code: ServiceException; Request ID: ${requestId}; Proxy: null)`,
    };
  }
}

export function functionErrorOf(functionError: string, payload: unknown): { error: string; cause: string } {
  const errorType = (payload as { errorType?: unknown } | undefined)?.errorType;
  const cause = typeof payload === 'string' ? payload : JSON.stringify(payload ?? null);
  if (typeof errorType === 'string') return { error: errorType, cause };
  // Lambda's own failures (Unhandled without a type: a crash, a timeout) are Lambda.Unknown.
  if (functionError === 'Unhandled' || functionError === 'Handled') return { error: 'Lambda.Unknown', cause };
  return { error: `Lambda.${functionError}`, cause };
}

function functionNotFound(reference: string, dependencies: LambdaTaskDependencies): [string, string] {
  const requestId = (dependencies.requestId ?? randomUUID)();
  return [
    'Lambda.ResourceNotFoundException',
    `Function not found: ${reference} (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: ${requestId}; Proxy: null)`,
  ];
}

function outputOf(value: unknown) {
  return { output: JSON.stringify(value ?? null), outputDetails: { truncated: false } };
}

/** Lambda's Invoke response as the optimized integration returns it (field names as in AWS). */
export function invokeResponse(payload: unknown, statusCode: number, requestId: string, now: Date) {
  const contentLength = String(Buffer.byteLength(JSON.stringify(payload ?? null)));
  const headers: Record<string, string> = {
    Connection: 'keep-alive',
    'Content-Length': contentLength,
    'Content-Type': 'application/json',
    Date: now.toUTCString(),
    'X-Amz-Executed-Version': '$LATEST',
    'x-amzn-Remapped-Content-Length': '0',
    'x-amzn-RequestId': requestId,
  };
  return {
    ExecutedVersion: '$LATEST',
    Payload: payload ?? null,
    SdkHttpMetadata: {
      AllHttpHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
      HttpHeaders: headers,
      HttpStatusCode: statusCode,
    },
    SdkResponseMetadata: { RequestId: requestId },
    StatusCode: statusCode,
  };
}
