// The records of one batch need ids of their own (a batch response names the failed ones by id), so the
// first record keeps the sample's id and each later one gets a derived id.

/** A numeric id (a sequence number, a Firehose record id) plus `index`: later records come later. */
export function nthNumericId(sampleId: string, index: number): string {
  return (BigInt(sampleId) + BigInt(index)).toString();
}

/** The sample's UUID, its last group replaced by `index` from the second record on. */
export function nthUuid(sampleUuid: string, index: number): string {
  return index === 0 ? sampleUuid : `${sampleUuid.slice(0, -12)}${index.toString(16).padStart(12, '0')}`;
}
