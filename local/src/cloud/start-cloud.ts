import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { decodeS3EventKey } from '@serverless-patterns/shared/s3-events';
import { startCognito } from '../emulators/cognito';
import { startDynamoDb } from '../emulators/dynamodb';
import { endpointFor, findFreePort, type RunningEmulator } from '../emulators/emulator';
import { startKinesis } from '../emulators/kinesis';
import { startRekognition } from '../emulators/rekognition';
import { startS3 } from '../emulators/s3';
import { startSnsSqs } from '../emulators/sns-sqs';
import { startStepFunctions, stateMachinesFrom } from '../emulators/step-functions/start-step-functions';
import { asyncInvokeConfigFrom, createAsyncInvoker } from '../lambda/async-invoker';
import { createDestinations } from '../lambda/destinations';
import { functionArn, functionNameFromArn } from '../lambda/function-arn';
import { createOfflineInvoker } from '../lambda/offline-invoker';
import { type GeneratedIds, provisionStack } from '../provision/provision-stack';
import { assignPhysicalNames } from '../templates/physical-names';
import {
  activeResources,
  createStack,
  LOCAL_ACCOUNT_ID,
  resolvedExports,
  type Stack,
  tryResolve,
} from '../templates/stack';
import {
  notificationTargetsFrom,
  type S3NotificationTarget,
  s3Event,
  targetMatches,
} from '../triggers/s3-notifications';
import { createLocalClients } from './clients';
import { type CloudDescription, writeCloudDescription } from './cloud-description';
import { startControlServer } from './control-server';
import { awsEnvironment, type Endpoints, LOCAL_CREDENTIALS, LOCAL_REGION } from './endpoints';
import { startCloudFrontDoor } from './front-door';
import { composeServices, localPaths, REPO_ROOT, type ServiceDefinition } from './layout';
import { type RunningService, startOfflineService } from './offline';
import { type PackagedService, packageServices } from './package-services';
import { startEventBridge, startEventSourceMappings, startSnsLambdaSubscriptions } from './wire-triggers';

export interface StartCloudOptions {
  root?: string;
  /** Defaults to .local; tests pass a temporary folder. */
  stateDir?: string;
  /** Start empty: remove the persisted data first. */
  fresh?: boolean;
  stage?: string;
  /** Defaults to the services of serverless-compose.yml; tests add their fixture service. */
  services?: ServiceDefinition[];
  /**
   * Multiplies Lambda's asynchronous retry delays (1 = AWS's one and two minutes) and Step Functions'
   * Retry intervals (1 = the definition's IntervalSeconds, BackoffRate and MaxDelaySeconds).
   */
  retryDelayScale?: number;
  /** Stage parameters for every service, as `sls deploy --param "name=value"` takes them. */
  params?: Record<string, string>;
  /** Aborted during start-up (Ctrl-C), the start stops what it started so far and rejects. */
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface RunningCloud {
  description: CloudDescription;
  stop(): Promise<void>;
}

/**
 * Preferred ports, so that `npm start` keeps the same URLs from one run to the next when they are
 * free. A cloud with its own state folder (tests, benchmarks) takes whatever ports the kernel
 * gives, so that it never races another cloud for the same ones.
 */
const PREFERRED_PORTS = {
  dynamodb: 8000,
  s3: 4569,
  kinesis: 4567,
  snsSqs: 4575,
  cognito: 9229,
  rekognition: 4012,
  eventBridge: 4010,
  // Step Functions Local's own default port.
  stepFunctions: 8083,
  control: 4011,
  services: 3000,
  portal: 8080,
};
type PortPreferences = { [name in keyof typeof PREFERRED_PORTS]?: number };

/**
 * Brings the whole platform up on loopback: emulators, resources provisioned from the packaged
 * templates, one serverless-offline per service, and the triggers wired with AWS semantics.
 * Everything started is stopped by `stop()`, in reverse order, even when start-up fails half way.
 */
export async function startCloud(options: StartCloudOptions = {}): Promise<RunningCloud> {
  const root = options.root ?? REPO_ROOT;
  const stage = options.stage ?? 'local';
  const log = options.log ?? (() => undefined);
  const paths = localPaths(root, options.stateDir);
  const ports: PortPreferences = options.stateDir === undefined ? PREFERRED_PORTS : {};
  const stoppers: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stoppers.splice(0).reverse()) {
      await stop().catch((error: unknown) => log(`stopping: ${String(error)}`));
    }
  };

  try {
    if (options.fresh) await rm(paths.data, { recursive: true, force: true });
    await mkdir(paths.data, { recursive: true });
    await mkdir(paths.build, { recursive: true });
    const services = options.services ?? composeServices(root);

    // Packaging and the emulators' start-up do not depend on each other.
    // Each cloud bundles into its own work folder (serverless-esbuild's outputWorkFolder, relative
    // to each service), so `npm start` and a test run never delete each other's handlers.
    const esbuildWorkFolder =
      options.stateDir === undefined ? '.esbuild' : `.esbuild-${basename(paths.base)}`;
    const baseEnv = { ...process.env, ...awsEnvironment({}), ESBUILD_WORK_FOLDER: esbuildWorkFolder };
    const packaging = packageServices(services, {
      stage,
      buildDir: paths.build,
      env: baseEnv,
      ...(options.params ? { params: options.params } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    packaging.catch(() => undefined);
    const emulators = await startEmulators(ports, paths.data, log, stoppers);
    options.signal?.throwIfAborted();
    const endpoints: Required<
      Pick<
        Endpoints,
        'dynamodb' | 'dynamodbStreams' | 's3' | 'kinesis' | 'sqs' | 'sns' | 'cognito' | 'rekognition'
      >
    > = {
      dynamodb: emulators.dynamodb.endpoint,
      dynamodbStreams: emulators.dynamodb.endpoint,
      s3: emulators.s3.endpoint,
      kinesis: emulators.kinesis.endpoint,
      sqs: emulators.snsSqs.endpoint,
      sns: emulators.snsSqs.endpoint,
      cognito: emulators.cognito.endpoint,
      rekognition: emulators.rekognition.endpoint,
    };
    const clients = createLocalClients(endpoints);
    const packaged = await packaging;

    const warnings: string[] = [];
    const { stacks, exports } = buildStacks(packaged);
    const generatedIdsFile = join(paths.data, 'generated-ids.json');
    const generatedIds = await readJson<GeneratedIds>(generatedIdsFile, {});
    for (const stack of stacks.values()) {
      const names = assignPhysicalNames(stack);
      const result = await provisionStack(stack, names, clients, generatedIds, endpoints.cognito);
      warnings.push(...result.warnings.map((warning) => `${stack.service}: ${warning}`));
      // Exports of what only provisioning names (a user pool's id and issuer, a client id) are
      // known now; the stacks after this one import them.
      for (const [name, value] of resolvedExports(stack)) exports.set(name, value);
    }
    await writeFile(generatedIdsFile, JSON.stringify(generatedIds, null, 2));
    warnings.push(...unemulatedResources(stacks));

    const eventBridge = await startEventBridge(stacks, warnings, ports.eventBridge);
    stoppers.push(eventBridge.stop);
    const functions = collectFunctions(stacks, warnings);
    const running = new Map<string, RunningService>();
    // The invoker finds each function's serverless-offline when it invokes, so that Step Functions
    // can start (and its endpoint reach every function's environment) before the services do.
    const lambdaEndpointOf = (functionName: string) => {
      const fn = functions.find((candidate) => candidate.name === functionName);
      return fn === undefined ? undefined : running.get(fn.service)?.lambdaEndpoint;
    };
    const invoker = createOfflineInvoker(lambdaEndpointOf);
    const queueUrls = queueUrlsByArn(stacks);
    const destinations = createDestinations(clients, (arn) => queueUrls.get(arn));
    const asyncInvoker = createAsyncInvoker({
      invoker,
      destinations,
      configFor: (functionName) =>
        functions.find((fn) => fn.name === functionName)?.asyncConfig ?? asyncInvokeConfigFrom(undefined),
      functionArn: (functionName) => functionArn(LOCAL_REGION, LOCAL_ACCOUNT_ID, functionName),
      delayScale: options.retryDelayScale ?? 1,
      log: (message, details) => log(`${message} ${JSON.stringify(details ?? {})}`),
    });
    const machines = stateMachinesFrom(stacks.values());
    warnings.push(...machines.warnings);
    for (const warning of machines.warnings) log(`step functions: ${warning}`);
    const stepFunctions = await startStepFunctions({
      port: await findFreePort(ports.stepFunctions),
      stateMachines: machines.stateMachines,
      lambda: {
        invoker,
        hasFunction: (functionName) => functions.some((fn) => fn.name === functionName),
        invokeAsync: (functionName, payload) => asyncInvoker.invokeAsync(functionName, payload),
        region: LOCAL_REGION,
        accountId: LOCAL_ACCOUNT_ID,
      },
      retryDelayScale: options.retryDelayScale ?? 1,
      log,
    });
    stoppers.push(stepFunctions.stop);
    const allEndpoints: Endpoints = {
      ...endpoints,
      eventbridge: eventBridge.endpoint,
      stepfunctions: stepFunctions.endpoint,
    };
    const env = { ...process.env, ...awsEnvironment(allEndpoints), ESBUILD_WORK_FOLDER: esbuildWorkFolder };
    // CloudWatch's share: the functions' EMF lines, collected as CloudWatch would ingest them.
    await mkdir(paths.metrics, { recursive: true });
    const metricsOut = createWriteStream(join(paths.metrics, 'metrics.jsonl'), { flags: 'a' });
    stoppers.push(() => new Promise<void>((resolve) => metricsOut.end(resolve)));
    let port = ports.services;
    for (const service of packaged) {
      const environments = Object.fromEntries(
        functions.filter((fn) => fn.service === service.key).map((fn) => [fn.name, fn.environment]),
      );
      const offline = await startOfflineService(service, {
        functionEnvironments: environments,
        env,
        buildDir: paths.build,
        ...(port === undefined ? {} : { preferredPort: port }),
        log: (line) => {
          if (isMetricsLine(line)) metricsOut.write(`${line}\n`);
          log(`[${service.key}] ${line}`);
        },
      });
      if (port !== undefined) port += 10;
      stoppers.push(offline.stop);
      running.set(service.key, offline);
      options.signal?.throwIfAborted();
    }

    // S3 notifications: the bucket's NotificationConfiguration, delivered as asynchronous invocations.
    const s3Targets = bucketNotificationTargets(stacks, warnings);
    const unsubscribe = emulators.s3.onObjectEvent((event) => {
      for (const record of event.Records) {
        const change = {
          bucket: record.s3.bucket.name,
          key: decodeS3EventKey(record.s3.object.key),
          eventName: record.eventName,
          size: record.s3.object.size,
          eTag: record.s3.object.eTag,
          ...(record.s3.object.versionId ? { versionId: record.s3.object.versionId } : {}),
        };
        for (const target of s3Targets.filter((candidate) => targetMatches(candidate, change))) {
          const functionName = functionNameFromArn(target.functionArn) ?? target.functionArn;
          asyncInvoker.invokeAsync(
            functionName,
            s3Event(target, change, { region: LOCAL_REGION, now: new Date() }),
          );
        }
      }
    });
    stoppers.push(async () => unsubscribe());

    eventBridge.start(asyncInvoker, destinations);
    const mappings = await startEventSourceMappings({
      stacks,
      queueUrlOf: (arn) => queueUrls.get(arn),
      clients,
      invoker,
      destinations,
      log,
      warnings,
    });
    stoppers.push(mappings.stop);
    const subscriptions = await startSnsLambdaSubscriptions({ stacks, clients, asyncInvoker, log });
    stoppers.push(subscriptions.stop);
    const control = await startControlServer(ports.control, {
      fireSchedule: async (service, functionKey) => {
        const fn = functions.find(
          (candidate) => candidate.service === service && candidate.key === functionKey,
        );
        if (fn === undefined) throw new Error(`no function ${functionKey} in service ${service}`);
        const rules = eventBridge.rules.filter(
          (rule) =>
            rule.scheduleExpression !== undefined &&
            rule.targets.some((target) => target.arn.endsWith(`:function:${fn.name}`)),
        );
        if (rules.length === 0) throw new Error(`${service} ${functionKey} has no schedule`);
        return Promise.all(rules.map((rule) => eventBridge.fireNow(rule.name)));
      },
    });
    stoppers.push(control.stop);
    // The portal and every service's API on one origin, as CloudFront and the custom domain serve them.
    const frontDoor = await startCloudFrontDoor({
      webDir: join(root, 'services', 'api', 'web'),
      portalDir: join(paths.build, 'portal'),
      services: packaged.map((service) => ({
        key: service.key,
        stack: stacks.get(service.key) as Stack,
        apiUrl: (running.get(service.key) as RunningService).apiUrl,
      })),
      cognitoEndpoint: emulators.cognito.endpoint,
      region: LOCAL_REGION,
      ...(ports.portal === undefined ? {} : { preferredPort: ports.portal }),
      log,
    });
    stoppers.push(frontDoor.stop);

    const description: CloudDescription = {
      stage,
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT_ID,
      pid: process.pid,
      portalUrl: frontDoor.url,
      controlUrl: control.url,
      endpoints: allEndpoints as Record<string, string>,
      environment: awsEnvironment(allEndpoints),
      credentials: LOCAL_CREDENTIALS,
      services: Object.fromEntries(
        packaged.map((service) => {
          const stack = stacks.get(service.key) as Stack;
          const offline = running.get(service.key) as RunningService;
          return [
            service.key,
            {
              name: service.name,
              apiUrl: offline.apiUrl,
              lambdaEndpoint: offline.lambdaEndpoint,
              functions: Object.fromEntries(
                functions.filter((fn) => fn.service === service.key).map((fn) => [fn.key, fn.name]),
              ),
              resources: Object.fromEntries(
                activeResources(stack)
                  .filter(([logicalId]) => stack.context.refs.has(logicalId))
                  .map(([logicalId]) => [logicalId, stack.context.refs.get(logicalId) as string]),
              ),
            },
          ];
        }),
      ),
      processes: [
        { name: 'local cloud', pid: process.pid },
        ...[...Object.values(emulators), ...running.values()]
          .filter((emulator): emulator is RunningEmulator & { pid: number } => emulator.pid !== undefined)
          .map((emulator) => ({ name: emulator.name, pid: emulator.pid })),
      ],
      warnings,
    };
    await writeCloudDescription(paths.cloudFile, description);
    stoppers.push(() => rm(paths.cloudFile, { force: true }));
    return { description, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function startEmulators(
  ports: PortPreferences,
  dataDir: string,
  log: (line: string) => void,
  stoppers: (() => Promise<void>)[],
) {
  const started = async <T extends RunningEmulator>(start: Promise<T>): Promise<T> => {
    const emulator = await start;
    stoppers.push(emulator.stop);
    return emulator;
  };
  // Rekognition reads S3Object images through the S3 API: it needs S3's address, not S3 running, so
  // both start side by side.
  const s3Port = await findFreePort(ports.s3);
  const [dynamodb, s3, kinesis, snsSqs, cognito, rekognition] = await Promise.all([
    started(
      startDynamoDb({
        port: await findFreePort(ports.dynamodb),
        dataDir: join(dataDir, 'dynamodb'),
        log,
      }),
    ),
    started(
      startS3({
        port: s3Port,
        dataDir: join(dataDir, 's3'),
        credentials: LOCAL_CREDENTIALS,
      }),
    ),
    started(startKinesis({ port: await findFreePort(ports.kinesis), dataDir: join(dataDir, 'kinesis') })),
    started(
      startSnsSqs({
        port: await findFreePort(ports.snsSqs),
        dataDir: join(dataDir, 'sns-sqs'),
        log,
      }),
    ),
    started(
      startCognito({
        port: await findFreePort(ports.cognito),
        dataDir: join(dataDir, 'cognito'),
        log,
      }),
    ),
    started(
      startRekognition({
        port: await findFreePort(ports.rekognition),
        dataDir: join(dataDir, 'rekognition'),
        s3Endpoint: endpointFor(s3Port),
        s3Credentials: LOCAL_CREDENTIALS,
        region: LOCAL_REGION,
        log,
      }),
    ),
  ]);
  return { dynamodb, s3, kinesis, snsSqs, cognito, rekognition };
}

/** Stacks in compose order; exports of earlier stacks are visible to later ones (Fn::ImportValue). */
function buildStacks(packaged: PackagedService[]): {
  stacks: Map<string, Stack>;
  exports: Map<string, string>;
} {
  const exports = new Map<string, string>();
  const stacks = new Map<string, Stack>();
  for (const service of packaged) {
    const stack = createStack(service.key, `${service.name}-${service.stage}`, service.template, {
      region: LOCAL_REGION,
      exports,
    });
    assignPhysicalNames(stack);
    for (const [name, value] of resolvedExports(stack)) exports.set(name, value);
    stacks.set(service.key, stack);
  }
  return { stacks, exports };
}

interface LocalFunction {
  service: string;
  logicalId: string;
  /** The function's key in serverless.yml (registerObject). */
  key: string;
  name: string;
  environment: Record<string, string>;
  asyncConfig: ReturnType<typeof asyncInvokeConfigFrom>;
}

function collectFunctions(stacks: Map<string, Stack>, warnings: string[]): LocalFunction[] {
  const functions: LocalFunction[] = [];
  for (const stack of stacks.values()) {
    const invokeConfigs = activeResources(stack).filter(
      ([, resource]) => resource.Type === 'AWS::Lambda::EventInvokeConfig',
    );
    for (const [logicalId, resource] of activeResources(stack)) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const name = stack.context.refs.get(logicalId) as string;
      const variables =
        (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
          ?.Variables ?? {};
      const environment: Record<string, string> = {};
      for (const [variable, value] of Object.entries(variables)) {
        const resolved = tryResolve(stack, value);
        if (resolved === undefined)
          warnings.push(`${stack.service}: ${name} ${variable} cannot be resolved locally`);
        else environment[variable] = String(resolved);
      }
      // No X-Ray daemon runs locally; traces are an AWS-only feature.
      environment.POWERTOOLS_TRACE_ENABLED = 'false';
      const invokeConfig = invokeConfigs.find(
        ([, config]) => tryResolve(stack, config.Properties?.FunctionName) === name,
      );
      // osls names functions <service>-<stage>-<key>.
      const key = name.startsWith(`${stack.stackName}-`) ? name.slice(stack.stackName.length + 1) : logicalId;
      functions.push({
        service: stack.service,
        logicalId,
        key,
        name,
        environment,
        asyncConfig: asyncInvokeConfigFrom(
          invokeConfig
            ? (tryResolve(stack, invokeConfig[1].Properties) as Record<string, unknown>)
            : undefined,
        ),
      });
    }
  }
  return functions;
}

function bucketNotificationTargets(stacks: Map<string, Stack>, warnings: string[]): S3NotificationTarget[] {
  const targets: S3NotificationTarget[] = [];
  for (const stack of stacks.values()) {
    for (const [logicalId, resource] of activeResources(stack)) {
      if (resource.Type !== 'AWS::S3::Bucket') continue;
      const bucket = stack.context.refs.get(logicalId) as string;
      const configuration = tryResolve(stack, resource.Properties?.NotificationConfiguration) as Parameters<
        typeof notificationTargetsFrom
      >[1];
      const found = notificationTargetsFrom(bucket, configuration);
      targets.push(...found.targets);
      warnings.push(...found.unsupported.map((what) => `${stack.service}: ${what} are not emulated`));
    }
  }
  return targets;
}

function queueUrlsByArn(stacks: Map<string, Stack>): Map<string, string> {
  const urls = new Map<string, string>();
  for (const stack of stacks.values()) {
    for (const [logicalId, resource] of activeResources(stack)) {
      if (resource.Type !== 'AWS::SQS::Queue') continue;
      const arn = stack.context.attributes.get(`${logicalId}.Arn`);
      const url = stack.context.refs.get(logicalId);
      if (arn && url) urls.set(arn, url);
    }
  }
  return urls;
}

/** Resource types the local cloud provisions, serves or deliberately leaves to AWS (with the reason). */
const HANDLED_TYPES = new Set([
  'AWS::DynamoDB::Table',
  'AWS::S3::Bucket',
  'AWS::S3::BucketPolicy',
  'AWS::Kinesis::Stream',
  'AWS::SQS::Queue',
  'AWS::SNS::Topic',
  'AWS::SNS::Subscription',
  'AWS::Cognito::UserPool',
  'AWS::Cognito::UserPoolClient',
  'AWS::Cognito::UserPoolGroup',
  'AWS::Lambda::Function',
  'AWS::Lambda::Version',
  'AWS::Lambda::Permission',
  'AWS::Lambda::EventInvokeConfig',
  'AWS::Lambda::EventSourceMapping',
  'AWS::Events::Rule',
  'AWS::StepFunctions::StateMachine',
  'AWS::Logs::LogGroup',
  'AWS::Logs::LogStream',
  // Lambda execution roles and Step Functions state machine roles: not enforced locally.
  'AWS::IAM::Role',
  'AWS::ApiGateway::RestApi',
  'AWS::ApiGateway::Resource',
  'AWS::ApiGateway::Method',
  'AWS::ApiGateway::Deployment',
]);

function unemulatedResources(stacks: Map<string, Stack>): string[] {
  const warnings: string[] = [];
  for (const stack of stacks.values()) {
    for (const [logicalId, resource] of activeResources(stack)) {
      if (!HANDLED_TYPES.has(resource.Type))
        warnings.push(`${stack.service}: ${logicalId} (${resource.Type}) is not emulated`);
    }
  }
  return warnings;
}

async function readJson<T>(path: string, fallback: T): Promise<T> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return fallback;
  }
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
