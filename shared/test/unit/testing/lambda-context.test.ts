import type { Context } from 'aws-lambda';
import { expect } from 'chai';
import { lambdaContext } from '../../../src/testing';

// Every field of the Node.js runtime's context: https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html
const CONTEXT_FIELDS: (keyof Context)[] = [
  'awsRequestId',
  'callbackWaitsForEmptyEventLoop',
  'done',
  'fail',
  'functionName',
  'functionVersion',
  'getRemainingTimeInMillis',
  'invokedFunctionArn',
  'logGroupName',
  'logStreamName',
  'memoryLimitInMB',
  'succeed',
];

describe('testing: lambdaContext', () => {
  it('has every field the runtime passes', () => {
    expect(Object.keys(lambdaContext()).sort()).to.deep.equal(CONTEXT_FIELDS);
    expect(lambdaContext().getRemainingTimeInMillis()).to.equal(60_000);
  });

  it("names the function's ARN and log group after the function", () => {
    const context = lambdaContext({ functionName: 'api-dev-list-devices' });

    expect(context).to.include({
      functionName: 'api-dev-list-devices',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:api-dev-list-devices',
      logGroupName: '/aws/lambda/api-dev-list-devices',
    });
  });

  it('takes any field a test names', () => {
    const context = lambdaContext({
      awsRequestId: 'req-1',
      memoryLimitInMB: '1024',
      getRemainingTimeInMillis: () => 50,
    });

    expect(context).to.include({ awsRequestId: 'req-1', memoryLimitInMB: '1024' });
    expect(context.getRemainingTimeInMillis()).to.equal(50);
  });
});
