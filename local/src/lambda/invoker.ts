/**
 * Lambda's limit on a synchronous invocation's payload, the request's and the response's: 6 MB
 * (serverless-offline refuses a larger request with 413, as Lambda does with RequestTooLargeException).
 * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** What the local cloud needs from Lambda: a synchronous (RequestResponse) invocation. */
export interface InvokeResult {
  /** The handler's return value, parsed from JSON (undefined when it returned nothing). */
  payload: unknown;
  /** Set when the function failed ("Unhandled" for a thrown error or a crash), as Lambda's X-Amz-Function-Error. */
  functionError?: string;
  /** The size of the response payload as sent, for callers that enforce Lambda's 6 MB limit (Firehose). */
  payloadBytes?: number;
}

export interface LambdaInvoker {
  /** `functionName` is the physical name, e.g. serverless-patterns-catalog-local-registerObject. */
  invoke(functionName: string, payload: unknown): Promise<InvokeResult>;
}

/** Where a record that exhausted its retries is sent: an SQS queue or SNS topic ARN. */
export interface FailureDestination {
  send(destinationArn: string, message: unknown): Promise<void>;
}
