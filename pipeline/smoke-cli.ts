/**
 * npm run smoke -- --stage S [--region R] | --cloud .local/cloud.json: runs pipeline/smoke-test.ts against a
 * deployed stage (its stacks' outputs) or against the local cloud (its description).
 */
import { parseCommandLine, usageError } from '@serverless-patterns/local/command-line';
import { readCloudDescription } from '@serverless-patterns/local/testing';
import { deployedStage, localStage, smokeTest } from './smoke-test';

const SMOKE = {
  invocation: 'npm run smoke --',
  synopsis: '--stage <stage> [--region <region>] | --cloud <cloud.json>',
  about: [
    "The delivery pipeline's check of a stage: reads each stack's outputs, signs up a throwaway person,",
    'calls one route of every service with an HTTP API as that person (or as a shopper, for the click',
    'beacon), and deletes the person again, whatever happened. Exits 1 on the first failed check. Against',
    "a deployed stage (CloudFormation's outputs, AWS credentials needed) or the local cloud (its",
    'description, which holds the same outputs).',
  ].join('\n'),
  options: {
    stage: {
      type: 'string',
      placeholder: '<stage>',
      description: 'a deployed stage: its stacks <service>-<stage> in AWS',
    },
    region: {
      type: 'string',
      default: process.env.AWS_REGION ?? 'us-east-1',
      placeholder: '<region>',
      description: "the stage's region (default $AWS_REGION, else us-east-1)",
    },
    cloud: {
      type: 'string',
      placeholder: '<cloud.json>',
      description: "the local cloud's description, not a deployed stage: .local/cloud.json",
    },
  },
} as const;

const { values } = parseCommandLine(SMOKE);
if (values.stage === undefined && values.cloud === undefined)
  usageError(SMOKE.invocation, 'name what to test: --stage <stage> or --cloud <cloud.json>');
if (values.stage !== undefined && values.cloud !== undefined)
  usageError(SMOKE.invocation, '--stage tests AWS and --cloud the local cloud: give one of them');

async function main(): Promise<void> {
  const stage =
    values.cloud !== undefined
      ? localStage(await readCloudDescription(values.cloud))
      : await deployedStage(values.stage ?? '', values.region);
  await smokeTest(stage, (line) => console.log(line));
  console.log('smoke test passed');
}

main().catch((error: unknown) => {
  console.error(`smoke test failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
