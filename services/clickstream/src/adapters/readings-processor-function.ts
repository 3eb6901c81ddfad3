import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { lambda } from '@serverless-patterns/shared/clients/lambda';
import type { FanOutChunk } from '../core/fan-out';

/**
 * The processor function, invoked asynchronously (InvocationType Event): Lambda queues the event and
 * answers 202; it retries a failed run twice, then hands the event to the processor's on-failure
 * destination. https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html
 */
export function createReadingsProcessorFunction({
  client = lambda,
  functionName,
}: {
  client?: Pick<LambdaClient, 'send'>;
  functionName: string;
}) {
  return {
    async invokeAsync(chunk: FanOutChunk): Promise<void> {
      const { StatusCode } = await client.send(
        new InvokeCommand({
          FunctionName: functionName,
          InvocationType: 'Event',
          Payload: new TextEncoder().encode(JSON.stringify(chunk)),
        }),
      );
      if (StatusCode !== 202)
        throw new Error(`Lambda answered ${StatusCode} to an Event invocation of ${functionName}`);
    },
  };
}
