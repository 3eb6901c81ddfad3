import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { serviceOf } from '@serverless-patterns/local/testing';
import { expect } from 'chai';
import { answerOf, fixtureSuite, waitFor } from './support';

describe('local cloud: execution environments', () => {
  const fixture = fixtureSuite();

  // https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
  it('gives every function the variables Lambda sets, and Lambda’s UTC clock', async () => {
    const functionName = fixture.functionName('answer');

    const { variables, timeZone } = await answerOf(fixture);

    expect(variables).to.deep.equal({
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_FUNCTION_NAME: functionName,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
      AWS_REGION: 'us-east-1',
      TZ: ':UTC',
    });
    expect(timeZone).to.equal('UTC');
  });

  // Powertools counts a cold start only when AWS_LAMBDA_INITIALIZATION_TYPE is on-demand, and then
  // emits a ColdStart metric from the first invocation of each execution environment.
  it('emits the ColdStart metric of a Powertools function once per execution environment', async () => {
    const catalog = serviceOf(fixture.cloud.description, 'catalog');
    const functionName = catalog.functionName('registerObject');
    const invoke = () =>
      fixture.aws
        .lambda('catalog')
        .send(new InvokeCommand({ FunctionName: functionName, Payload: JSON.stringify({ Records: [] }) }));
    const coldStarts = async () => {
      if (!existsSync(fixture.cloud.metricsFile)) return 0;
      return (await readFile(fixture.cloud.metricsFile, 'utf8'))
        .split('\n')
        .filter(
          (line) => line.includes(`"function_name":"${functionName}"`) && line.includes('"ColdStart":1'),
        ).length;
    };

    await invoke();
    const afterFirst = await waitFor('a ColdStart metric', coldStarts, (count) => count >= 1);
    // One after the other, the second invocation runs in the warm environment of the first.
    await invoke();
    await invoke();

    expect(await coldStarts()).to.equal(afterFirst);
  });
});
