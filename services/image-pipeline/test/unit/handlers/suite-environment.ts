import { commandsSent, type SentCommand } from '@serverless-patterns/shared/testing';

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

/**
 * Sets ENVIRONMENT from the enclosing describe's first before hook (so that handlers loaded by the
 * suite's own before hook find their configuration at cold start) and restores the variables after it.
 */
export function functionEnvironmentInThisSuite(): void {
  const saved = Object.fromEntries(Object.keys(ENVIRONMENT).map((name) => [name, process.env[name]]));
  before(() => {
    Object.assign(process.env, ENVIRONMENT);
  });
  after(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
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
