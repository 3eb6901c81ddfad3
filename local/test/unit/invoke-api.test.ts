import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { expect } from 'chai';
import { findFreePort, type RunningEmulator } from '../../src/emulators/emulator';
import { startInvokeApi } from '../../src/lambda/invoke-api';

describe("Lambda's Invoke API for the functions (AWS_ENDPOINT_URL_LAMBDA)", () => {
  let api: RunningEmulator;
  let lambda: LambdaClient;
  const queued: { functionName: string; payload: unknown }[] = [];

  before(async () => {
    api = await startInvokeApi({
      port: await findFreePort(),
      invoker: {
        invoke: async (functionName, payload) =>
          functionName === 'failing'
            ? { payload: { errorMessage: 'boom', errorType: 'Error' }, functionError: 'Unhandled' }
            : { payload: { echoed: payload } },
      },
      invokeAsync: (functionName, payload) => void queued.push({ functionName, payload }),
      hasFunction: (functionName) => ['processor', 'failing'].includes(functionName),
    });
    lambda = new LambdaClient({
      endpoint: api.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  });

  after(async () => {
    lambda.destroy();
    await api.stop();
  });

  const payload = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

  it('queues an Event invocation for the asynchronous invoker and answers 202 at once', async () => {
    const response = await lambda.send(
      new InvokeCommand({
        FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:processor',
        InvocationType: 'Event',
        Payload: payload({ chunk: 1 }),
      }),
    );

    expect(response.StatusCode).to.equal(202);
    expect(queued).to.deep.equal([{ functionName: 'processor', payload: { chunk: 1 } }]);
  });

  it("answers a RequestResponse invocation with the function's result, and its error as Lambda does", async () => {
    const ok = await lambda.send(
      new InvokeCommand({ FunctionName: 'processor', Payload: payload({ a: 1 }) }),
    );
    const failed = await lambda.send(new InvokeCommand({ FunctionName: 'failing', Payload: payload({}) }));

    expect(JSON.parse(new TextDecoder().decode(ok.Payload))).to.deep.equal({ echoed: { a: 1 } });
    expect(failed.FunctionError).to.equal('Unhandled');
  });

  it('refuses an unknown function with ResourceNotFoundException', async () => {
    const error = await lambda
      .send(new InvokeCommand({ FunctionName: 'nobody', InvocationType: 'Event' }))
      .catch((e: unknown) => e);

    expect(error).to.have.property('name', 'ResourceNotFoundException');
  });
});
