import {
  CloudFormationClient,
  CloudFormationServiceException,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import {
  CloudWatchLogsClient,
  GetQueryResultsCommand,
  ResourceNotFoundException,
  StartQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { commandsSent, mockClientsInEachTest } from '@serverless-patterns/shared/testing';
import { expect } from 'chai';
import {
  awsInvocations,
  type DeployedFunction,
  deployedFunctions,
  REPORT_QUERY,
  reportLines,
} from '../../../src/rightsize/aws-invocations';

const region = 'us-east-1';
const clients = {
  cloudFormation: new CloudFormationClient({ region }),
  lambda: new LambdaClient({ region }),
  logs: new CloudWatchLogsClient({ region }),
};

const WINDOW = { start: new Date('2026-11-28T12:00:00Z'), end: new Date('2026-12-05T12:00:00Z') };
const noWait = async () => {};

const report = (requestId: string, durationMs: number, maxMemoryUsedMb: number) => [
  { field: '@timestamp', value: '2026-12-05 11:00:00.000' },
  {
    field: '@message',
    value: `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${Math.ceil(durationMs)} ms\tMemory Size: 1024 MB\tMax Memory Used: ${maxMemoryUsedMb} MB\t`,
  },
  { field: '@ptr', value: 'CmAKJwoj...' },
];

describe('rightsize: a deployed stage', () => {
  const stubs = mockClientsInEachTest(clients);

  describe("the stage's functions", () => {
    it('are the functions of its stacks, with their memory size, architecture and log group from Lambda', async () => {
      // Prepare: api's stack in two pages, catalog's not deployed.
      stubs.cloudFormation
        .on(ListStackResourcesCommand, { StackName: 'serverless-patterns-api-prod' })
        .resolvesOnce({
          StackResourceSummaries: [
            resource(
              'GetDeviceLambdaFunction',
              'serverless-patterns-api-prod-getDevice',
              'AWS::Lambda::Function',
            ),
            resource('DevicesTable', 'serverless-patterns-api-prod-devices', 'AWS::DynamoDB::Table'),
          ],
          NextToken: 'page-2',
        })
        .resolvesOnce({
          StackResourceSummaries: [
            resource('ExportLambdaFunction', 'serverless-patterns-api-prod-export', 'AWS::Lambda::Function'),
          ],
        });
      stubs.cloudFormation
        .on(ListStackResourcesCommand, { StackName: 'serverless-patterns-catalog-prod' })
        .rejects(
          new CloudFormationServiceException({
            name: 'ValidationError',
            $fault: 'client',
            $metadata: {},
            message: 'Stack with id serverless-patterns-catalog-prod does not exist',
          }),
        );
      stubs.lambda
        .on(GetFunctionConfigurationCommand, { FunctionName: 'serverless-patterns-api-prod-getDevice' })
        .resolves({ MemorySize: 1024, Architectures: ['arm64'] })
        .on(GetFunctionConfigurationCommand, { FunctionName: 'serverless-patterns-api-prod-export' })
        .resolves({
          MemorySize: 2048,
          Architectures: ['x86_64'],
          LoggingConfig: { LogGroup: '/custom/export' },
        });

      // Act
      const deployed = await deployedFunctions(clients, 'prod', [
        { key: 'api', serviceName: 'serverless-patterns-api' },
        { key: 'catalog', serviceName: 'serverless-patterns-catalog' },
      ]);

      // Assess
      expect(deployed).to.deep.equal({
        functions: [
          {
            service: 'api',
            key: 'getDevice',
            name: 'serverless-patterns-api-prod-getDevice',
            memorySizeMb: 1024,
            architecture: 'arm64',
            logGroup: '/aws/lambda/serverless-patterns-api-prod-getDevice',
          },
          {
            service: 'api',
            key: 'export',
            name: 'serverless-patterns-api-prod-export',
            memorySizeMb: 2048,
            architecture: 'x86_64',
            logGroup: '/custom/export',
          },
        ],
        missingStacks: ['serverless-patterns-catalog-prod'],
      });
    });
  });

  describe('the REPORT lines of a log group', () => {
    it('come from one Logs Insights query, polled until it completes, with the count of all that matched', async () => {
      // Prepare
      stubs.logs.on(StartQueryCommand).resolves({ queryId: 'q-1' });
      stubs.logs
        .on(GetQueryResultsCommand)
        .resolvesOnce({ status: 'Scheduled' })
        .resolvesOnce({ status: 'Running', results: [report('a', 5, 80)] })
        .resolves({
          status: 'Complete',
          results: [report('a', 5.25, 80), report('b', 120.5, 97)],
          statistics: { recordsMatched: 12_345, recordsScanned: 40_000, bytesScanned: 1e6 },
        });

      // Act
      const lines = await reportLines(clients.logs, '/aws/lambda/f', WINDOW, { sleep: noWait });

      // Assess
      expect(lines).to.deep.equal({
        invocations: [
          { requestId: 'a', durationMs: 5.25, billedDurationMs: 6, memorySizeMb: 1024, maxMemoryUsedMb: 80 },
          {
            requestId: 'b',
            durationMs: 120.5,
            billedDurationMs: 121,
            memorySizeMb: 1024,
            maxMemoryUsedMb: 97,
          },
        ],
        count: 12_345,
      });
      expect(commandsSent(stubs.logs)).to.deep.equal([
        {
          name: 'StartQueryCommand',
          input: {
            logGroupName: '/aws/lambda/f',
            startTime: WINDOW.start.getTime() / 1000,
            endTime: WINDOW.end.getTime() / 1000,
            queryString: REPORT_QUERY,
          },
        },
        { name: 'GetQueryResultsCommand', input: { queryId: 'q-1' } },
        { name: 'GetQueryResultsCommand', input: { queryId: 'q-1' } },
        { name: 'GetQueryResultsCommand', input: { queryId: 'q-1' } },
      ]);
      expect(REPORT_QUERY).to.include('filter @type = "REPORT"');
    });

    it('are none for a function never invoked (its log group does not exist yet)', async () => {
      stubs.logs
        .on(StartQueryCommand)
        .rejects(new ResourceNotFoundException({ $metadata: {}, message: 'Log group does not exist' }));

      expect(await reportLines(clients.logs, '/aws/lambda/idle', WINDOW, { sleep: noWait })).to.deep.equal({
        invocations: [],
        count: 0,
      });
    });

    it('fail with the query when Logs Insights gives it up', async () => {
      stubs.logs.on(StartQueryCommand).resolves({ queryId: 'q-2' });
      stubs.logs.on(GetQueryResultsCommand).resolves({ status: 'Timeout' });

      const error = await reportLines(clients.logs, '/aws/lambda/slow', WINDOW, { sleep: noWait }).catch(
        (e) => e,
      );

      expect(error)
        .to.be.instanceOf(Error)
        .with.property('message', 'the Logs Insights query of /aws/lambda/slow ended Timeout');
    });
  });

  it('gives each function the lines of its own log group, a few queries at a time', async () => {
    const functions: DeployedFunction[] = ['one', 'two', 'three'].map((key) => ({
      service: 'api',
      key,
      name: `serverless-patterns-api-prod-${key}`,
      memorySizeMb: 512,
      architecture: 'arm64',
      logGroup: `/aws/lambda/${key}`,
    }));
    for (const { logGroup } of functions)
      stubs.logs.on(StartQueryCommand, { logGroupName: logGroup }).resolves({ queryId: logGroup });
    for (const [index, { logGroup }] of functions.entries())
      stubs.logs
        .on(GetQueryResultsCommand, { queryId: logGroup })
        .resolves({ status: 'Complete', results: [report(`request-${index}`, 10 * (index + 1), 100)] });

    const measured = await awsInvocations(clients.logs, functions, WINDOW, { sleep: noWait, concurrency: 2 });

    expect(
      measured.map(({ fn, invocations }) => [fn.key, invocations.map((i) => i.durationMs)]),
    ).to.deep.equal([
      ['one', [10]],
      ['two', [20]],
      ['three', [30]],
    ]);
    expect(measured[0]?.fn).to.not.have.property('logGroup');
  });
});

function resource(LogicalResourceId: string, PhysicalResourceId: string, ResourceType: string) {
  return {
    LogicalResourceId,
    PhysicalResourceId,
    ResourceType,
    ResourceStatus: 'CREATE_COMPLETE' as const,
    LastUpdatedTimestamp: new Date(),
  };
}
