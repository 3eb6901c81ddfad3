import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { stepFunctions } from '@serverless-patterns/shared/clients/step-functions';
import type { Workflow } from '../core/uploads';

/**
 * StartExecution with a name derived from the object. With the same name, a standard workflow answers
 * ExecutionAlreadyExists (or, while the first execution runs with the same input, succeeds with it):
 * either way nothing runs twice. https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
 */
export function createProcessingWorkflow({
  client = stepFunctions,
  stateMachineArn,
}: {
  client?: SFNClient;
  stateMachineArn: string;
}): Workflow {
  return {
    async start(name, input) {
      try {
        await client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
        return 'started';
      } catch (error) {
        if (error instanceof Error && error.name === 'ExecutionAlreadyExists') return 'exists';
        throw error;
      }
    },
  };
}
