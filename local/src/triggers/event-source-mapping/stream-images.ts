import type { AttributeValue } from '@aws-sdk/client-dynamodb-streams';

/** An attribute value as DynamoDB Streams puts it on the wire, and Lambda in its event: binaries in base64. */
export type WireAttributeValue = Record<string, unknown>;

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/**
 * A stream image as Lambda receives it in AWS, from an image as the SDK's DynamoDB Streams client read
 * it from DynamoDB Local. Two things differ:
 * - DynamoDB Local writes an empty map as `{}` in stream records, with no type (GetItem says `{"M":{}}`
 *   for the same item; seen with the 2026-05-28 release). AWS writes `{"M":{}}`, and `unmarshall` refuses
 *   `{}` ("No value defined"). An empty list stays `{"L":[]}`, and sets cannot be empty, so a value
 *   without a type can only be an empty map.
 * - The SDK turns `B` and `BS` into bytes; Lambda's event carries them in base64, as the wire does.
 */
export function asLambdaImage(image: Record<string, AttributeValue>): Record<string, WireAttributeValue> {
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, asWireValue(value)]));
}

function asWireValue(value: AttributeValue): WireAttributeValue {
  if (value.M !== undefined) return { M: asLambdaImage(value.M) };
  if (value.L !== undefined) return { L: value.L.map(asWireValue) };
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.BS !== undefined) return { BS: value.BS.map(base64) };
  const typed = Object.entries(value).filter(([, member]) => member !== undefined);
  if (typed.length === 0) return { M: {} };
  return Object.fromEntries(typed);
}
