/**
 * Reads a function's partial batch response (`{ batchItemFailures: [{ itemIdentifier }] }`) the way Lambda
 * does when the mapping has ReportBatchItemFailures.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-batchfailurereporting.html
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#services-sqs-batchfailurereporting
 */

export type BatchResponse =
  /** An empty or null response, or an empty or null `batchItemFailures`. */
  | { kind: 'success' }
  /** Every identifier names an item of the batch. */
  | { kind: 'partial'; failedIds: readonly string[] }
  /** Lambda treats the whole batch as failed. */
  | { kind: 'invalid'; reason: string };

/** `batchIds`: the sequence numbers (streams) or message ids (SQS) of the batch that was sent. */
export function readBatchResponse(payload: unknown, batchIds: ReadonlySet<string>): BatchResponse {
  if (payload === undefined || payload === null) return { kind: 'success' };
  if (!isRecord(payload)) return { kind: 'invalid', reason: 'the response is not a JSON object' };
  const failures = payload.batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'invalid', reason: 'batchItemFailures is not a list' };
  const failedIds: string[] = [];
  for (const failure of failures) {
    const id: unknown = isRecord(failure) ? failure.itemIdentifier : undefined;
    if (typeof id !== 'string' || id === '') {
      return { kind: 'invalid', reason: 'a batch item failure has no itemIdentifier string' };
    }
    if (!batchIds.has(id)) {
      return { kind: 'invalid', reason: `itemIdentifier ${JSON.stringify(id)} is not an item of the batch` };
    }
    failedIds.push(id);
  }
  return failedIds.length === 0 ? { kind: 'success' } : { kind: 'partial', failedIds };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
