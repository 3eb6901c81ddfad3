// npm run rightsize -- --stage S: the deployed functions of a stage and their REPORT lines.
// The functions come from the stage's stacks (osls names a stack <service>-<stage> and a function
// <service>-<stage>-<key>); their memory size, architecture and log group from Lambda; the REPORT lines
// Lambda writes after every invocation from CloudWatch Logs Insights, read with the same parser as the
// local cloud's (offline-fixes/invocation-report.ts).
import {
  type CloudFormationClient,
  CloudFormationServiceException,
  paginateListStackResources,
} from '@aws-sdk/client-cloudformation';
import {
  type CloudWatchLogsClient,
  GetQueryResultsCommand,
  type GetQueryResultsCommandOutput,
  ResourceNotFoundException,
  StartQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { GetFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { parseReportLine } from '../cloud/offline-fixes/invocation-report';
import type { LambdaArchitecture } from '../lambda/local-functions';
import type { FunctionConfiguration, FunctionInvocations, MeasuredInvocation } from './rightsize';

export interface RightsizeAwsClients {
  cloudFormation: CloudFormationClient;
  lambda: LambdaClient;
  logs: CloudWatchLogsClient;
}

export interface DeployedFunction extends FunctionConfiguration {
  logGroup: string;
}

/** A service of serverless-compose.yml: its key and its serverless.yml `service:` name. */
export interface StageService {
  key: string;
  serviceName: string;
}

/**
 * Logs Insights returns at most 10,000 rows a query: the latest REPORT lines, while the count of all of
 * them comes with the query's statistics (recordsMatched).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Limit.html
 */
export const REPORT_QUERY = [
  'filter @type = "REPORT"',
  'fields @timestamp, @message',
  'sort @timestamp desc',
  'limit 10000',
].join('\n| ');

/** Every function of the stage's stacks, with its configuration; the stacks that do not exist, apart. */
export async function deployedFunctions(
  clients: Pick<RightsizeAwsClients, 'cloudFormation' | 'lambda'>,
  stage: string,
  services: readonly StageService[],
): Promise<{ functions: DeployedFunction[]; missingStacks: string[] }> {
  const functions: DeployedFunction[] = [];
  const missingStacks: string[] = [];
  for (const service of services) {
    const stackName = `${service.serviceName}-${stage}`;
    const names: string[] = [];
    try {
      for await (const page of paginateListStackResources(
        { client: clients.cloudFormation },
        { StackName: stackName },
      ))
        for (const resource of page.StackResourceSummaries ?? [])
          if (resource.ResourceType === 'AWS::Lambda::Function' && resource.PhysicalResourceId)
            names.push(resource.PhysicalResourceId);
    } catch (error) {
      // CloudFormation answers a stack that does not exist with a ValidationError.
      if (error instanceof CloudFormationServiceException && /does not exist/.test(error.message)) {
        missingStacks.push(stackName);
        continue;
      }
      throw error;
    }
    for (const name of names) {
      const configuration = await clients.lambda.send(
        new GetFunctionConfigurationCommand({ FunctionName: name }),
      );
      functions.push({
        service: service.key,
        key: name.startsWith(`${stackName}-`) ? name.slice(stackName.length + 1) : name,
        name,
        // Lambda's defaults, should the answer leave them out.
        memorySizeMb: configuration.MemorySize ?? 128,
        architecture: (configuration.Architectures?.[0] as LambdaArchitecture | undefined) ?? 'x86_64',
        logGroup: configuration.LoggingConfig?.LogGroup ?? `/aws/lambda/${name}`,
      });
    }
  }
  return { functions, missingStacks };
}

export interface QueryOptions {
  /** Between two GetQueryResults while the query runs. */
  pollMs?: number;
  /** How long a query may run before it is given up. */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** The REPORT lines of one log group in the window, latest first, and how many there were in all. */
export async function reportLines(
  logs: CloudWatchLogsClient,
  logGroup: string,
  window: { start: Date; end: Date },
  { pollMs = 1_000, timeoutMs = 300_000, sleep = defaultSleep }: QueryOptions = {},
): Promise<{ invocations: MeasuredInvocation[]; count: number }> {
  let queryId: string | undefined;
  try {
    ({ queryId } = await logs.send(
      new StartQueryCommand({
        logGroupName: logGroup,
        // Logs Insights takes seconds since the epoch.
        startTime: Math.floor(window.start.getTime() / 1000),
        endTime: Math.ceil(window.end.getTime() / 1000),
        queryString: REPORT_QUERY,
      }),
    ));
  } catch (error) {
    // A function never invoked has no log group yet.
    if (error instanceof ResourceNotFoundException) return { invocations: [], count: 0 };
    throw error;
  }
  const deadline = Date.now() + timeoutMs;
  let answer: GetQueryResultsCommandOutput;
  for (;;) {
    answer = await logs.send(new GetQueryResultsCommand({ queryId }));
    if (answer.status !== 'Scheduled' && answer.status !== 'Running') break;
    if (Date.now() > deadline)
      throw new Error(`the Logs Insights query of ${logGroup} ran longer than ${timeoutMs} ms`);
    await sleep(pollMs);
  }
  if (answer.status !== 'Complete')
    throw new Error(`the Logs Insights query of ${logGroup} ended ${answer.status ?? 'without a status'}`);
  const invocations = (answer.results ?? []).flatMap((row) => {
    const message = row.find((field) => field.field === '@message')?.value;
    const report = message === undefined ? undefined : parseReportLine(message);
    return report === undefined ? [] : [report];
  });
  return { invocations, count: Math.max(invocations.length, answer.statistics?.recordsMatched ?? 0) };
}

/** Each function's REPORT lines, a few queries at a time (Logs Insights runs a limited number at once). */
export async function awsInvocations(
  logs: CloudWatchLogsClient,
  functions: readonly DeployedFunction[],
  window: { start: Date; end: Date },
  options: QueryOptions & { concurrency?: number } = {},
): Promise<FunctionInvocations[]> {
  const results: FunctionInvocations[] = new Array(functions.length);
  let next = 0;
  const worker = async () => {
    while (next < functions.length) {
      const index = next++;
      const { logGroup, ...fn } = functions[index] as DeployedFunction;
      const { invocations, count } = await reportLines(logs, logGroup, window, options);
      results[index] = { fn, invocations, count };
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 4, functions.length) }, worker));
  return results;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
