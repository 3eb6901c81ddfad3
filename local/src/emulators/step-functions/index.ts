import { defineEmulator } from '../emulator-definition';
import { startStepFunctions } from './start-step-functions';

/**
 * Step Functions: the API in-process, executions run by aws-local-stepfunctions. The state machines
 * come from the templates once they are provisioned (RunningStepFunctions.load, functions phase).
 */
export const stepFunctions = defineEmulator({
  name: 'step-functions',
  // The SDK's service id for Step Functions is "SFN" (@aws-sdk/client-sfn).
  endpointVariables: { stepfunctions: 'SFN' },
  // Step Functions Local's own default port.
  preferredPort: 8083,
  start: ({ port, log }) => startStepFunctions({ port, log }),
});
