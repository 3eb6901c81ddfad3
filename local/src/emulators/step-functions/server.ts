import { createServer } from 'node:http';
import { awsJsonListener } from '../aws-json';
import { closeHttpServer, endpointFor, listenOnLoopback, once, type RunningEmulator } from '../emulator';
import type { StepFunctionsService } from './executions';

/**
 * Step Functions' API on loopback, in AWS JSON 1.0 (`X-Amz-Target: AWSStepFunctions.<Operation>`):
 * the operations the local cloud serves, and StepFunctionsApiErrors answered as AWS does.
 * https://docs.aws.amazon.com/step-functions/latest/apireference/CommonErrors.html
 */
export async function startStepFunctionsServer(
  service: StepFunctionsService,
  options: { port: number; log?: (line: string) => void },
): Promise<RunningEmulator> {
  const server = createServer(
    awsJsonListener({
      serviceName: 'Step Functions',
      version: '1.0',
      targetPrefix: 'AWSStepFunctions',
      operations: {
        StartExecution: (input) => service.startExecution(input),
        DescribeExecution: (input) => service.describeExecution(input),
        ListExecutions: (input) => service.listExecutions(input),
        GetExecutionHistory: (input) => service.getExecutionHistory(input),
        DescribeStateMachine: (input) => service.describeStateMachine(input),
        ListStateMachines: (input) => service.listStateMachines(input),
      },
      internalErrorType: 'InternalFailure',
      ...(options.log ? { log: options.log } : {}),
    }),
  );
  await listenOnLoopback(server, options.port, 'step functions');
  return {
    name: 'step-functions',
    endpoint: endpointFor(options.port),
    stop: once(async () => {
      await service.stop();
      await closeHttpServer(server);
    }),
  };
}
