import { commandsSent, type SentCommand, variablesInThisSuite } from '@serverless-patterns/shared/testing';

/** The variables serverless.yml gives the functions, with the tests' own values, and Lambda's own. */
export const ENVIRONMENT = {
  IMAGES_TABLE_NAME: 'images-table',
  IMAGES_BUCKET_NAME: 'images-bucket',
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:process-image',
  UPLOAD_QUOTAS_TABLE_NAME: 'upload-quotas-table',
  DAILY_UPLOAD_LIMIT: '100',
  // Presigning signs locally with the function's credentials, as in Lambda.
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

/** ENVIRONMENT in the enclosing describe (before its handlers load), the previous values after. */
export function functionEnvironmentInThisSuite(): void {
  variablesInThisSuite(ENVIRONMENT);
}

/** A call aws-sdk-client-mock recorded (a sinon spy call). */
interface MockedCall {
  args: readonly unknown[];
  calledBefore(call: MockedCall): boolean;
}

/**
 * The commands several mocked clients were sent, in the order they were sent (each command as
 * `commandsSent` gives it): a conversation that crosses services, such as a deletion from S3 then
 * DynamoDB, in one assertion.
 */
export function commandsInOrder(...stubs: { calls(): MockedCall[] }[]): SentCommand[] {
  const calls = stubs.flatMap((stub) => stub.calls()).sort((a, b) => (a.calledBefore(b) ? -1 : 1));
  return commandsSent({ calls: () => calls });
}
