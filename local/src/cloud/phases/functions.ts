import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { eventBridge } from '../../emulators/eventbridge';
import { stepFunctions } from '../../emulators/step-functions';
import { s3MapRunObjects, stateMachinesFrom } from '../../emulators/step-functions/start-step-functions';
import { type AsyncInvoker, asyncInvokeConfigFrom, createAsyncInvoker } from '../../lambda/async-invoker';
import { createDestinations } from '../../lambda/destinations';
import { functionArn } from '../../lambda/function-arn';
import { functionLogLine, functionLogsFile, splitFunctionLine } from '../../lambda/function-logs';
import { invocationRecordLine, invocationsFile } from '../../lambda/invocation-records';
import { startInvokeApi } from '../../lambda/invoke-api';
import type { FailureDestination, LambdaInvoker } from '../../lambda/invoker';
import { functionsOf, type LocalFunction } from '../../lambda/local-functions';
import { createOfflineInvoker } from '../../lambda/offline-invoker';
import { LOCAL_ACCOUNT_ID, type Stack } from '../../templates/stack';
import { type EventBridgeRules, routeEventBridge } from '../../triggers/eventbridge/wire-rules';
import type { LocalClients } from '../clients';
import { awsEnvironment, LOCAL_REGION } from '../endpoints';
import { type RunningService, startOfflineService } from '../offline';
import { concurrencyFrom } from '../offline-fixes/execution-environments';
import { IAM_PROOF_SECRET_VARIABLE } from '../offline-fixes/iam-identity';
import type { PackagedService } from '../package-services';
import { resourcesOfKind } from '../resource-kinds';
import type { RunningEmulators } from './emulators';
import { allStarted, type CloudSettings, type Teardown } from './settings';

/** Ports from 3000, ten apart: each serverless-offline takes its API's and the next for Lambda. */
const FIRST_SERVICE_PORT = 3000;
/** The functions' own Lambda endpoint (AWS_ENDPOINT_URL_LAMBDA), every service's functions behind it. */
const INVOKE_API_PORT = 4015;

export interface CloudFunctions {
  functions: LocalFunction[];
  /** serverless-offline of each service, by compose key. */
  services: Map<string, RunningService>;
  invoker: LambdaInvoker;
  asyncInvoker: AsyncInvoker;
  destinations: FailureDestination;
  queueUrlOf(queueArn: string): string | undefined;
  /** The templates' EventBridge rules on the local bus; their schedules start with the triggers. */
  eventRules: EventBridgeRules | undefined;
  /** Appends one EMF document to the metrics file, as CloudWatch would ingest it (services' own metrics). */
  publishMetrics(document: Record<string, unknown>): void;
  /** Calls `listener` each time an invocation returns (any trigger's); returns the unsubscribe. */
  onInvocationReturned(listener: (functionName: string) => void): () => void;
}

/**
 * Phase 4, functions: what invokes the templates' functions (synchronously, and asynchronously
 * with Lambda's retries and destinations), the state machines and event rules that call them, and
 * one serverless-offline per service that runs them, with every endpoint in its environment. The
 * invoker finds each function's serverless-offline when it invokes, so that Step Functions and
 * EventBridge can be loaded before the services start.
 */
export async function startFunctions(
  settings: CloudSettings,
  inputs: {
    packaged: readonly PackagedService[];
    stacks: Map<string, Stack>;
    emulators: RunningEmulators;
    clients: LocalClients;
    warnings: string[];
  },
  teardown: Teardown,
): Promise<CloudFunctions> {
  const { packaged, stacks, emulators, clients, warnings } = inputs;
  const bus = emulators.get(eventBridge);
  const eventRules = bus === undefined ? undefined : routeEventBridge(bus, stacks, warnings);
  if (eventRules !== undefined) teardown.add(eventRules.stop);
  const functions = functionsOf(stacks, warnings);
  const services = new Map<string, RunningService>();
  const lambdaEndpointOf = (functionName: string) => {
    const fn = functions.find((candidate) => candidate.name === functionName);
    return fn === undefined ? undefined : services.get(fn.service)?.lambdaEndpoint;
  };
  const returnedListeners = new Set<(functionName: string) => void>();
  const invoker = createOfflineInvoker(lambdaEndpointOf, (functionName) => {
    for (const listener of returnedListeners) listener(functionName);
  });
  const onInvocationReturned = (listener: (functionName: string) => void) => {
    returnedListeners.add(listener);
    return () => returnedListeners.delete(listener);
  };
  const queueUrls = queueUrlsByArn(stacks);
  const queueUrlOf = (arn: string) => queueUrls.get(arn);
  const destinations = createDestinations(clients, queueUrlOf);
  const asyncInvoker = createAsyncInvoker({
    invoker,
    destinations,
    configFor: (functionName) =>
      functions.find((fn) => fn.name === functionName)?.asyncConfig ?? asyncInvokeConfigFrom(undefined),
    functionArn: (functionName) => functionArn(LOCAL_REGION, LOCAL_ACCOUNT_ID, functionName),
    delayScale: settings.retryDelayScale,
    log: (message, details) => settings.log(`${message} ${JSON.stringify(details ?? {})}`),
  });
  const machines = stateMachinesFrom(stacks.values());
  warnings.push(...machines.warnings);
  for (const warning of machines.warnings) settings.log(`step functions: ${warning}`);
  emulators.get(stepFunctions)?.load({
    stateMachines: machines.stateMachines,
    lambda: {
      invoker,
      hasFunction: (functionName) => functions.some((fn) => fn.name === functionName),
      invokeAsync: (functionName, payload) => asyncInvoker.invokeAsync(functionName, payload),
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT_ID,
    },
    retryDelayScale: settings.retryDelayScale,
    objects: s3MapRunObjects(clients.s3),
    // A Map Run runs no more children at once than the local Lambda runs invocations of a function.
    localConcurrency: concurrencyFrom(process.env.LOCAL_LAMBDA_CONCURRENCY, availableParallelism()),
  });

  // A function that invokes another (the telemetry fan-out's dispatcher) reaches it through Lambda's
  // Invoke API, with asynchronous invocations retried and sent to destinations as in AWS.
  const invokeApi = await startInvokeApi({
    port: await settings.freePort(INVOKE_API_PORT),
    invoker,
    invokeAsync: (functionName, payload) => asyncInvoker.invokeAsync(functionName, payload),
    hasFunction: (functionName) => functions.some((fn) => fn.name === functionName),
  });
  teardown.add(invokeApi.stop);
  const env = {
    ...process.env,
    ...awsEnvironment(emulators.endpoints),
    AWS_ENDPOINT_URL_LAMBDA: invokeApi.endpoint,
    ESBUILD_WORK_FOLDER: settings.esbuildWorkFolder,
    [IAM_PROOF_SECRET_VARIABLE]: settings.iamProofSecret,
    // Lambda's clock: the worker threads that run the handlers share their process's time zone.
    TZ: LAMBDA_TIME_ZONE,
  };
  // CloudWatch's share: the functions' EMF lines, collected as CloudWatch would ingest them.
  await mkdir(settings.paths.metrics, { recursive: true });
  const metricsOut = createWriteStream(join(settings.paths.metrics, 'metrics.jsonl'), { flags: 'a' });
  teardown.add(() => new Promise<void>((resolve) => metricsOut.end(resolve)));
  // Beside them, every invocation's duration and memory, from its REPORT line (npm run rightsize).
  const invocationsOut = createWriteStream(invocationsFile(settings.paths.metrics), { flags: 'a' });
  teardown.add(() => new Promise<void>((resolve) => invocationsOut.end(resolve)));
  const functionsByName = new Map(functions.map((fn) => [fn.name, fn]));
  // CloudWatch Logs' counterpart: what each service's functions printed (npm run logs, npm run invoke).
  await mkdir(settings.paths.logs, { recursive: true });
  const logsOut = createWriteStream(functionLogsFile(settings.paths.logs), { flags: 'a' });
  teardown.add(() => new Promise<void>((resolve) => logsOut.end(resolve)));
  // Side by side: each waits only for its own osls to load (its bundles are the packaged ones).
  // A service without functions (the foundation stack: a topic and a role) needs no serverless-offline,
  // which would open no Lambda port for it.
  const withFunctions = packaged.filter((service) => functions.some((fn) => fn.service === service.key));
  const started = await allStarted(
    withFunctions.map((service, index) =>
      settings.timings.measure(`offline ${service.key}`, () =>
        startOfflineService(service, {
          functionEnvironments: Object.fromEntries(
            functions
              .filter((fn) => fn.service === service.key)
              .map((fn) => [fn.name, lambdaEnvironment(fn, service.template)]),
          ),
          env,
          buildDir: settings.paths.build,
          freePort: settings.freePort,
          preferredPort: FIRST_SERVICE_PORT + 10 * index,
          log: (output) => {
            const line = splitFunctionLine(output);
            if (isMetricsLine(line.text)) metricsOut.write(`${line.text}\n`);
            else if (!logsOut.writableEnded) logsOut.write(functionLogLine(service.key, line));
            // The REPORT line stays in the logs too, as in the function's log group.
            const fn = line.functionName === undefined ? undefined : functionsByName.get(line.functionName);
            const record = fn === undefined ? undefined : invocationRecordLine(fn, line.text);
            if (record !== undefined && !invocationsOut.writableEnded) invocationsOut.write(record);
            settings.log(`[${service.key}] ${output}`);
          },
        }),
      ),
    ),
    teardown,
  );
  for (const [index, service] of withFunctions.entries())
    services.set(service.key, started[index] as RunningService);
  settings.signal?.throwIfAborted();
  const publishMetrics = (document: Record<string, unknown>) => {
    if (!metricsOut.writableEnded) metricsOut.write(`${JSON.stringify(document)}\n`);
  };
  return {
    functions,
    services,
    invoker,
    asyncInvoker,
    destinations,
    queueUrlOf,
    eventRules,
    publishMetrics,
    onInvocationReturned,
  };
}

const LAMBDA_TIME_ZONE = ':UTC';

/**
 * A function's variables as Lambda gives them to its execution environment: those the template sets,
 * and the reserved ones serverless-offline leaves out. serverless-offline sets _HANDLER, AWS_REGION,
 * AWS_DEFAULT_REGION, AWS_LAMBDA_FUNCTION_NAME, _MEMORY_SIZE and _VERSION, AWS_LAMBDA_LOG_GROUP_NAME
 * and _LOG_STREAM_NAME, LAMBDA_TASK_ROOT and LAMBDA_RUNTIME_DIR; Lambda also sets the runtime
 * (AWS_EXECUTION_ENV), AWS_LAMBDA_INITIALIZATION_TYPE (Powertools counts a cold start, and emits its
 * ColdStart metric, only when it is `on-demand`) and TZ (which a function may set itself). Left out:
 * AWS_LAMBDA_RUNTIME_API (no Runtime API runs locally) and the X-Ray variables (no daemon).
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 */
export function lambdaEnvironment(
  fn: Pick<LocalFunction, 'logicalId' | 'environment'>,
  template: PackagedService['template'],
): Record<string, string> {
  const runtime = template.Resources[fn.logicalId]?.Properties?.Runtime;
  return {
    TZ: LAMBDA_TIME_ZONE,
    ...fn.environment,
    ...(typeof runtime === 'string' ? { AWS_EXECUTION_ENV: `AWS_Lambda_${runtime}` } : {}),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  };
}

function queueUrlsByArn(stacks: Map<string, Stack>): Map<string, string> {
  const urls = new Map<string, string>();
  for (const stack of stacks.values()) {
    for (const [logicalId] of resourcesOfKind(stack, 'AWS::SQS::Queue')) {
      const arn = stack.context.attributes.get(`${logicalId}.Arn`);
      const url = stack.context.refs.get(logicalId);
      if (arn && url) urls.set(arn, url);
    }
  }
  return urls;
}

/** An Embedded Metric Format document: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html */
function isMetricsLine(line: string): boolean {
  if (!line.startsWith('{') || !line.includes('"_aws"')) return false;
  try {
    return typeof (JSON.parse(line) as { _aws?: unknown })._aws === 'object';
  } catch {
    return false;
  }
}
