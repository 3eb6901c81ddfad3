import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  ListMapRunsCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { stepFunctions } from '@serverless-patterns/shared/clients/step-functions';
import type { ExecutionState, JobExecutions } from '../core/jobs/job-runner';

/** The job state machine's executions and their Map Runs (the mappers' progress). */
export function createJobExecutions({
  client = stepFunctions,
  stateMachineArn,
}: {
  client?: SFNClient;
  stateMachineArn: () => string;
}): JobExecutions {
  return {
    async start(name, input) {
      const { executionArn } = await client.send(
        new StartExecutionCommand({ stateMachineArn: stateMachineArn(), name, input: JSON.stringify(input) }),
      );
      if (executionArn === undefined) throw new Error(`StartExecution of ${name} answered no executionArn`);
      return { executionArn };
    },
    async describe(executionArn) {
      try {
        const answer = await client.send(new DescribeExecutionCommand({ executionArn }));
        return {
          status: (answer.status ?? 'RUNNING') as ExecutionState['status'],
          ...(answer.error === undefined ? {} : { error: answer.error }),
          ...(answer.cause === undefined ? {} : { cause: answer.cause }),
        };
      } catch (error) {
        if (error instanceof Error && error.name === 'ExecutionDoesNotExist') return undefined;
        throw error;
      }
    },
    async items(executionArn) {
      const { mapRuns = [] } = await client.send(new ListMapRunsCommand({ executionArn }));
      const mapRunArn = mapRuns[0]?.mapRunArn;
      if (mapRunArn === undefined) return undefined;
      const { itemCounts } = await client.send(new DescribeMapRunCommand({ mapRunArn }));
      return {
        total: itemCounts?.total ?? 0,
        succeeded: itemCounts?.succeeded ?? 0,
        failed: (itemCounts?.failed ?? 0) + (itemCounts?.timedOut ?? 0) + (itemCounts?.aborted ?? 0),
        running: itemCounts?.running ?? 0,
        pending: itemCounts?.pending ?? 0,
      };
    },
  };
}
