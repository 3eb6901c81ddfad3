import type { RunningEmulator } from '../emulator';
import { createStepFunctionsService, type StepFunctionsOptions } from './executions';
import { startStepFunctionsServer } from './server';

export type { LocalStateMachine } from './executions';
export { stateMachinesFrom } from './state-machines';

/**
 * The local Step Functions: the API on loopback, executions run in this process by
 * aws-local-stepfunctions, kept in memory (a restart forgets them). See docs/adr/0002-local-step-functions.md.
 */
export function startStepFunctions(
  options: StepFunctionsOptions & { port: number; log?: (line: string) => void },
): Promise<RunningEmulator> {
  const service = createStepFunctionsService(options);
  return startStepFunctionsServer(service, {
    port: options.port,
    ...(options.log ? { log: options.log } : {}),
  });
}
