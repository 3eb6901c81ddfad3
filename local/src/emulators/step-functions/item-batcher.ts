/**
 * ItemBatcher: items grouped so that each child execution gets `{ BatchInput?, Items }`, with at
 * most MaxItemsPerBatch items and at most MaxInputBytesPerBatch bytes (the batch's JSON, BatchInput
 * included). An item larger than the byte limit on its own goes alone in its batch.
 * https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html
 */
export interface BatchLimits {
  maxItems?: number | undefined;
  maxBytes?: number | undefined;
  batchInput?: unknown;
}

export interface Batch {
  BatchInput?: unknown;
  Items: unknown[];
}

const byteLength = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

export function batchesOf(items: readonly unknown[], limits: BatchLimits): Batch[] {
  const maxItems = limits.maxItems !== undefined && limits.maxItems > 0 ? limits.maxItems : Infinity;
  const maxBytes = limits.maxBytes !== undefined && limits.maxBytes > 0 ? limits.maxBytes : Infinity;
  const start = (): Batch =>
    limits.batchInput === undefined ? { Items: [] } : { BatchInput: limits.batchInput, Items: [] };
  // The size of an empty batch, then each item adds its own JSON and a comma.
  const emptyBytes = byteLength(start());
  const batches: Batch[] = [];
  let batch = start();
  let bytes = emptyBytes;
  for (const item of items) {
    const itemBytes = byteLength(item) + (batch.Items.length > 0 ? 1 : 0);
    const full = batch.Items.length >= maxItems || bytes + itemBytes > maxBytes;
    if (batch.Items.length > 0 && full) {
      batches.push(batch);
      batch = start();
      bytes = emptyBytes;
    }
    bytes += byteLength(item) + (batch.Items.length > 0 ? 1 : 0);
    batch.Items.push(item);
  }
  if (batch.Items.length > 0) batches.push(batch);
  return batches;
}
