import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';

/** A line of a delivered object, with the object's key. */
export interface DeliveredLine {
  key: string;
  line: string;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * Every non-empty line of every object under `prefix`, as Firehose (or the local Firehose) delivers
 * them: GZIP or plain, told apart by the content (Firehose's object names carry no extension).
 * Delivered objects never change, so a `cache` kept across polls reads each object once.
 */
export async function deliveredLines(
  s3: S3Client,
  bucket: string,
  prefix: string,
  cache: Map<string, string[]> = new Map(),
): Promise<DeliveredLine[]> {
  const lines: DeliveredLine[] = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
    for (const { Key: key } of page.Contents ?? []) {
      if (key === undefined) continue;
      let objectLines = cache.get(key);
      if (objectLines === undefined) {
        const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const bytes = Buffer.from((await object.Body?.transformToByteArray()) ?? new Uint8Array());
        const gzipped = bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
        objectLines = (gzipped ? gunzipSync(bytes) : bytes)
          .toString('utf8')
          .split('\n')
          .filter((line) => line !== '');
        cache.set(key, objectLines);
      }
      for (const line of objectLines) lines.push({ key, line });
    }
  }
  return lines;
}
