import { createServer } from 'node:http';
import { awsJsonListener } from '../aws-json';
import { type RunningEmulator, serveOnLoopback } from '../emulator';
import {
  createStepFunctionsService,
  type StepFunctionsOptions,
  type StepFunctionsService,
} from './executions';

export type { LocalStateMachine } from './executions';
export { s3MapRunObjects } from './item-reader';
export { stateMachinesFrom } from './state-machines';

export interface RunningStepFunctions extends RunningEmulator {
  /**
   * Serves the templates' state machines from now on, their Lambda tasks sent to the cloud's
   * functions; until then it knows none (every ARN is StateMachineDoesNotExist).
   */
  load(options: StepFunctionsOptions): void;
}

/**
 * The local Step Functions: the API on loopback, in AWS JSON 1.0 (`X-Amz-Target:
 * AWSStepFunctions.<Operation>`); executions run in this process by aws-local-stepfunctions and are
 * kept in memory (a restart forgets them). See docs/adr/0002-local-step-functions.md.
 * https://docs.aws.amazon.com/step-functions/latest/apireference/CommonErrors.html
 */
export async function startStepFunctions(options: {
  port: number;
  log?: (line: string) => void;
}): Promise<RunningStepFunctions> {
  let service: StepFunctionsService = createStepFunctionsService({
    stateMachines: [],
    lambda: {
      invoker: {
        invoke: () => Promise.reject(new Error('the local Step Functions has no state machines yet')),
      },
      hasFunction: () => false,
      region: '',
      accountId: '',
    },
  });
  const server = createServer(
    awsJsonListener({
      serviceName: 'Step Functions',
      version: '1.0',
      targetPrefix: 'AWSStepFunctions',
      operations: {
        StartExecution: (input) => service.startExecution(input),
        DescribeExecution: (input) => service.describeExecution(input),
        ListExecutions: (input) => service.listExecutions(input),
        DescribeMapRun: (input) => service.describeMapRun(input),
        ListMapRuns: (input) => service.listMapRuns(input),
        GetExecutionHistory: (input) => service.getExecutionHistory(input),
        DescribeStateMachine: (input) => service.describeStateMachine(input),
        ListStateMachines: (input) => service.listStateMachines(input),
      },
      internalErrorType: 'InternalFailure',
      ...(options.log ? { log: options.log } : {}),
    }),
  );
  const running = await serveOnLoopback('step-functions', server, options.port, {
    beforeClose: () => service.stop(),
  });
  return {
    ...running,
    load(serviceOptions) {
      service = createStepFunctionsService(serviceOptions);
    },
  };
}
