import {
  type DynamoDBDocumentClient,
  paginateQuery,
  paginateScan,
  type QueryCommandInput,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';

/**
 * True when DynamoDB refused a write because its condition did not hold: a ConditionalCheckFailed
 * on a single write, or a transaction cancelled by one of its conditions. Any other cancellation
 * (a conflicting transaction, throttling) is not, so that callers report it as the failure it is.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html#API_TransactWriteItems_Errors
 */
export function isConditionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'ConditionalCheckFailedException') return true;
  if (error.name !== 'TransactionCanceledException') return false;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.some((reason) => reason.Code === 'ConditionalCheckFailed');
}

/**
 * Runs a conditional write: true when it was written, false when its condition did not hold (for a
 * replay-safe write that is the answer "already done", not an error). Other errors are thrown.
 */
export async function writtenUnlessConditionFails(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

// lib-dynamodb's paginators follow LastEvaluatedKey by writing ExclusiveStartKey into the input they
// are given, so each gets a copy: the caller's input stays as it was.

/** Every item a Query finds, page after page. */
export async function queryAll(
  client: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateQuery({ client }, { ...input })) items.push(...(page.Items ?? []));
  return items;
}

/** Every item a Scan reads, page after page (for small tables: a scan reads the whole table). */
export async function scanAll(
  client: DynamoDBDocumentClient,
  input: Omit<ScanCommandInput, 'ExclusiveStartKey'>,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateScan({ client }, { ...input })) items.push(...(page.Items ?? []));
  return items;
}

/** How many items a Scan matches, over every page (`Select: 'COUNT'` reads no attributes). */
export async function countAll(
  client: DynamoDBDocumentClient,
  input: Omit<ScanCommandInput, 'ExclusiveStartKey' | 'Select'>,
): Promise<number> {
  let count = 0;
  for await (const page of paginateScan({ client }, { ...input, Select: 'COUNT' })) count += page.Count ?? 0;
  return count;
}
