/**
 * npm run smoke -- --stage S [--region R] | --cloud .local/cloud.json: runs pipeline/smoke-test.ts against a
 * deployed stage (its stacks' outputs) or against the local cloud (its description).
 */
import { parseArgs } from 'node:util';
import { readCloudDescription } from '@serverless-patterns/local/testing';
import { deployedStage, localStage, smokeTest } from './smoke-test';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      stage: { type: 'string' },
      region: { type: 'string', default: process.env.AWS_REGION ?? 'us-east-1' },
      cloud: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || (values.stage === undefined && values.cloud === undefined)) {
    console.log('usage: npm run smoke -- --stage S [--region R] | --cloud .local/cloud.json');
    return values.help ? 0 : 2;
  }
  const stage =
    values.cloud !== undefined
      ? localStage(await readCloudDescription(values.cloud))
      : await deployedStage(values.stage ?? '', values.region);
  await smokeTest(stage, (line) => console.log(line));
  console.log('smoke test passed');
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`smoke test failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
