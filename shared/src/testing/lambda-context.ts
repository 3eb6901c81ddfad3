import type { Context } from 'aws-lambda';

/**
 * A Lambda context as the Node.js runtime passes it, in the samples' account and region. The function
 * ARN and log group follow `functionName`, so naming the function is enough for a consistent context.
 * https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html
 */
export function lambdaContext(overrides: Partial<Context> = {}): Context {
  const functionName = overrides.functionName ?? 'example-function';
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '128',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2015/04/09/[$LATEST]0123456789abcdef0123456789abcdef',
    // Fixed, so tests are deterministic, and generous: instrumented handlers (Middy) give up 5 ms before
    // the time runs out, and a unit test on a busy machine must not meet that.
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...overrides,
  };
}
