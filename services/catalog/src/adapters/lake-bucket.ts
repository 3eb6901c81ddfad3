import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { threadId } from 'node:worker_threads';
import {
  GetObjectCommand,
  GetObjectTaggingCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl, s3 } from '@serverless-patterns/shared/clients/s3';
import type { LakeObjects, ObjectVersion } from '../core/catalog-registrar';
import type { QueryObjects, StoredObject } from '../core/lake-queries';

/** S3 answers these when the object (or its version) is no longer there. */
const GONE = new Set(['NoSuchKey', 'NoSuchVersion', 'NotFound']);
const isGone = (error: unknown) => error instanceof Error && GONE.has(error.name);

/** Reads and tags the lake's objects for the catalog (register function). */
export function createLakeObjects({ client = s3 }: { client?: S3Client } = {}): LakeObjects {
  // An explicit first-last range: a suffix range (bytes=-N) is not understood by every S3 (s3rver).
  const range = async (object: ObjectVersion, first: number, last: number) => {
    try {
      const { Body, ContentRange } = await client.send(
        new GetObjectCommand({
          Bucket: object.bucket,
          Key: object.key,
          VersionId: object.versionId,
          Range: `bytes=${first}-${last}`,
        }),
      );
      const bytes = (await Body?.transformToByteArray()) ?? new Uint8Array();
      const total = Number(ContentRange?.split('/')[1] ?? bytes.length);
      return { bytes, total };
    } catch (error) {
      if (isGone(error)) return undefined;
      // An empty object has no byte 0: there is nothing to read.
      if (error instanceof Error && error.name === 'InvalidRange')
        return { bytes: new Uint8Array(), total: 0 };
      throw error;
    }
  };

  return {
    async head(object, length) {
      const read = await range(object, 0, length - 1);
      return read === undefined
        ? undefined
        : { bytes: read.bytes, complete: read.bytes.length >= read.total };
    },
    async tail(object, length) {
      const probe = await range(object, 0, 0);
      if (probe === undefined) return undefined;
      const first = Math.max(0, probe.total - length);
      return (await range(object, first, probe.total - 1))?.bytes;
    },
    async tag(object, tags) {
      const target = { Bucket: object.bucket, Key: object.key, VersionId: object.versionId };
      try {
        const { TagSet = [] } = await client.send(new GetObjectTaggingCommand(target));
        const kept = TagSet.filter(({ Key }) => Key === undefined || !(Key in tags));
        const wanted = [...kept, ...Object.entries(tags).map(([Key, Value]) => ({ Key, Value }))];
        if (sameTags(TagSet, wanted)) return;
        await client.send(new PutObjectTaggingCommand({ ...target, Tagging: { TagSet: wanted } }));
      } catch (error) {
        if (!isGone(error)) throw error;
      }
    },
  };
}

function sameTags(a: { Key?: string; Value?: string }[], b: { Key?: string; Value?: string }[]): boolean {
  const text = (tags: { Key?: string; Value?: string }[]) =>
    JSON.stringify(tags.map(({ Key, Value }) => [Key, Value]).sort());
  return text(a) === text(b);
}

/** Parquet's media type. https://www.iana.org/assignments/media-types/application/vnd.apache.parquet */
const PARQUET_MEDIA_TYPE = 'application/vnd.apache.parquet';
const RESULT_URL_SECONDS = 300;

/**
 * The lake bucket as queries read it: listings of partition folders, local copies of their files
 * (kept in /tmp between invocations of a warm function, named by bucket, key and ETag, so that a
 * changed object is fetched again; least recently used first out past `cacheBytes`), and results.
 */
export function createQueryObjects({
  client = s3,
  resultsBucket,
  cacheDir = join(tmpdir(), `lake-cache-${process.pid}-${threadId}`),
  cacheBytes,
}: {
  client?: S3Client;
  /** The lake bucket, asked for only by what writes or presigns results. */
  resultsBucket: () => string;
  cacheDir?: string;
  cacheBytes: number;
}): QueryObjects {
  const cached = new Map<string, { sizeBytes: number; usedAt: number }>();
  let uses = 0;

  async function evictBeyond(limit: number): Promise<void> {
    let total = [...cached.values()].reduce((sum, file) => sum + file.sizeBytes, 0);
    for (const [path, file] of [...cached].sort(([, a], [, b]) => a.usedAt - b.usedAt)) {
      if (total <= limit) return;
      await rm(path, { force: true });
      cached.delete(path);
      total -= file.sizeBytes;
    }
  }

  async function localCopy(object: StoredObject): Promise<string> {
    const name = createHash('sha256').update(`${object.bucket}\n${object.key}\n${object.etag}`).digest('hex');
    for (const path of [join(cacheDir, name), join(cacheDir, `${name}.gz`)]) {
      const known =
        cached.get(path) ??
        (await stat(path).then(
          (found) => ({ sizeBytes: found.size, usedAt: 0 }),
          () => undefined,
        ));
      if (known !== undefined) {
        uses += 1;
        cached.set(path, { ...known, usedAt: uses });
        return path;
      }
    }
    await mkdir(cacheDir, { recursive: true });
    await evictBeyond(cacheBytes - object.sizeBytes);
    const partial = join(cacheDir, `${name}.part`);
    const { Body } = await client.send(new GetObjectCommand({ Bucket: object.bucket, Key: object.key }));
    await pipeline(Body as Readable, createWriteStream(partial));
    // DuckDB tells gzip by the file name: a compressed object keeps `.gz`, whatever its key says.
    const path = (await isGzip(partial)) ? join(cacheDir, `${name}.gz`) : join(cacheDir, name);
    await rename(partial, path);
    uses += 1;
    cached.set(path, { sizeBytes: object.sizeBytes, usedAt: uses });
    return path;
  }

  return {
    async list(folders, under) {
      // A few folders are listed one by one; more, by one listing of the folder above them all.
      if (under === undefined || folders.length <= FOLDERS_LISTED_ONE_BY_ONE)
        return Promise.all(folders.map((folder) => dataFiles(client, folder, '/')));
      const all = await dataFiles(client, under, undefined);
      return folders.map((folder) => {
        const { prefix } = parseS3Location(folder);
        return all.filter(({ key }) => key.startsWith(prefix) && !key.slice(prefix.length).includes('/'));
      });
    },
    async localCopies(objects) {
      const paths: string[] = [];
      for (const object of objects) paths.push(await localCopy(object));
      return paths;
    },
    async putResult(queryId, file) {
      const key = `results/${queryId}/result.parquet`;
      await client.send(
        new PutObjectCommand({
          Bucket: resultsBucket(),
          Key: key,
          Body: await readFile(file),
          ContentType: PARQUET_MEDIA_TYPE,
        }),
      );
      return key;
    },
    resultUrl: (key) =>
      getSignedUrl(client, new GetObjectCommand({ Bucket: resultsBucket(), Key: key }), {
        expiresIn: RESULT_URL_SECONDS,
      }),
  };
}

/** Up to this many folders are listed one by one (one request each, in parallel). */
const FOLDERS_LISTED_ONE_BY_ONE = 4;

/** The data files below a location: directly in it with the `/` delimiter, at any depth without. */
async function dataFiles(
  client: S3Client,
  location: string,
  delimiter: '/' | undefined,
): Promise<StoredObject[]> {
  const { bucket, prefix } = parseS3Location(location);
  const found: StoredObject[] = [];
  for await (const page of paginateListObjectsV2(
    { client },
    { Bucket: bucket, Prefix: prefix, Delimiter: delimiter },
  )) {
    for (const { Key, ETag, Size } of page.Contents ?? []) {
      const name = Key?.slice(Key.lastIndexOf('/') + 1) ?? '';
      // Hive's hidden files (_SUCCESS, .crc) and folder markers are not data.
      if (Key === undefined || name === '' || name.startsWith('_') || name.startsWith('.') || !Size) continue;
      found.push({ bucket, key: Key, etag: ETag ?? '', sizeBytes: Size });
    }
  }
  return found;
}

export function parseS3Location(location: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(location);
  if (match?.[1] === undefined || match[2] === undefined) throw new Error(`not an S3 location: ${location}`);
  return { bucket: match[1], prefix: match[2] };
}

async function isGzip(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await file.close();
  }
}
