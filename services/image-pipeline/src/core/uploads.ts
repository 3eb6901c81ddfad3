import { createHash } from 'node:crypto';
import { ValidationError } from '@serverless-patterns/shared/errors';
import type { S3ObjectChange } from '@serverless-patterns/shared/s3-events';
import type { ImageRecord } from '@serverless-patterns/shared/schemas/api';
import { identifier } from '@serverless-patterns/shared/schemas/common';
import type { ImageJob } from './images';

export const UPLOADS_PREFIX = 'uploads/';

/** One new object, as an S3 ObjectCreated notification describes it (the key decoded at the handler's edge). */
export type CreatedObject = Pick<S3ObjectChange, 'bucket' | 'key' | 'versionId' | 'eTag'>;

export interface UploadKey {
  key: string;
  ownerId: string;
  fileName: string;
}

/** Where image records live; implemented by the images table adapter. */
export interface ImageStore {
  /** Writes the record unless one with the same imageId exists, and says which happened. */
  createIfAbsent(record: ImageRecord): Promise<'created' | 'exists'>;
}

/** Starts processing workflows; implemented by the Step Functions adapter. */
export interface Workflow {
  /**
   * Starts an execution with this name, or says that one with this name already exists (a name is
   * unique per state machine for 90 days, so a replayed event starts nothing):
   * https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
   */
  start(name: string, input: ImageJob): Promise<'started' | 'exists'>;
}

export type Clock = () => Date;

export interface UploadOutcome {
  imageId: string;
  ownerId: string;
  key: string;
  record: 'created' | 'exists';
  execution: 'started' | 'exists';
}

/** Reads the owner and file name from a decoded key laid out as uploads/<ownerId>/<file name>. */
export function parseUploadKey(key: string): UploadKey {
  const expected = `expected ${UPLOADS_PREFIX}<ownerId>/<file name>`;
  if (!key.startsWith(UPLOADS_PREFIX)) {
    throw new ValidationError(`Object key ${JSON.stringify(key)} is not an upload: ${expected}`);
  }
  const segments = key.slice(UPLOADS_PREFIX.length).split('/');
  const [ownerId, fileName] = segments;
  if (segments.length !== 2 || !ownerId || !fileName) {
    throw new ValidationError(`Object key ${JSON.stringify(key)} is not an upload: ${expected}`);
  }
  const owner = identifier.safeParse(ownerId);
  if (!owner.success) {
    throw new ValidationError(
      `Object key ${JSON.stringify(key)} names an invalid owner id: ${owner.error.issues[0]?.message}`,
      { cause: owner.error, details: [{ path: 'ownerId', message: owner.error.issues[0]?.message ?? '' }] },
    );
  }
  return { key, ownerId, fileName };
}

/**
 * The same object version always gets the same id, so a replayed notification (S3 delivers at least
 * once) finds its record already written. The version id is preferred because, in a versioned bucket,
 * uploading identical bytes twice gives two versions with the same ETag.
 */
export function imageIdOf(object: Pick<CreatedObject, 'bucket' | 'versionId' | 'eTag'>, key: string): string {
  const revision = object.versionId ? `version:${object.versionId}` : `etag:${object.eTag}`;
  return createHash('sha256').update(`${object.bucket}\n${key}\n${revision}`).digest('hex').slice(0, 32);
}

export function processingRecord(
  object: CreatedObject,
  upload: UploadKey,
  now: Date,
): ImageRecord & { status: 'PROCESSING' } {
  const timestamp = now.toISOString();
  return {
    imageId: imageIdOf(object, upload.key),
    ownerId: upload.ownerId,
    bucket: object.bucket,
    key: upload.key,
    ...(object.versionId ? { versionId: object.versionId } : {}),
    status: 'PROCESSING',
    createdAt: timestamp,
    updatedAt: timestamp,
  };
}

/** The execution input: the same object version always gives the same input (no timestamp). */
export function jobOf(record: ImageRecord): ImageJob {
  const { imageId, ownerId, bucket, key, versionId } = record;
  return { imageId, ownerId, bucket, key, ...(versionId ? { versionId } : {}) };
}

/**
 * Records each upload as PROCESSING, then starts its workflow, named after the image id. Both steps
 * are idempotent, and both run on a replay: if the first delivery wrote the record and crashed before
 * StartExecution, the replay starts the execution it missed.
 */
export function createProcessingStarter({
  images,
  workflow,
  clock,
}: {
  images: ImageStore;
  workflow: Workflow;
  clock: Clock;
}) {
  return {
    async start(object: CreatedObject): Promise<UploadOutcome> {
      const upload = parseUploadKey(object.key);
      const record = processingRecord(object, upload, clock());
      const written = await images.createIfAbsent(record);
      const execution = await workflow.start(record.imageId, jobOf(record));
      return {
        imageId: record.imageId,
        ownerId: record.ownerId,
        key: record.key,
        record: written,
        execution,
      };
    },
  };
}

export type ProcessingStarter = ReturnType<typeof createProcessingStarter>;
