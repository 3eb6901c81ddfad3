import { createHash } from 'node:crypto';
import { ValidationError } from '@serverless-patterns/shared/errors';
import type { S3ObjectChange } from '@serverless-patterns/shared/s3-events';
import type { ImageRecord } from '@serverless-patterns/shared/schemas/api';
import { identifier } from '@serverless-patterns/shared/schemas/common';
import type * as z from 'zod';
import type { ImageJob, ObjectRef } from './images';

export const UPLOADS_PREFIX = 'uploads/';

/** One new object, as an S3 ObjectCreated notification describes it (the key decoded at the handler's edge). */
export type CreatedObject = Pick<S3ObjectChange, 'bucket' | 'key' | 'versionId'>;

export interface UploadKey {
  key: string;
  ownerId: string;
  uploadId: string;
  fileName: string;
}

/** Where image records live; implemented by the images table adapter. */
export interface ImageStore {
  /**
   * Writes the record unless one with the same imageId exists; if one does, says which object
   * version it is of (undefined in an unversioned bucket).
   */
  createIfAbsent(record: ImageRecord): Promise<'created' | { existing: { versionId?: string | undefined } }>;
  /** Deletes the record if it is still this one, PROCESSING (a record someone changed since stays). */
  deleteIfUnchanged(record: ImageRecord): Promise<void>;
}

/** Deletes object versions; implemented by the S3 adapter. */
export interface UploadObjects {
  deleteObjects(objects: readonly ObjectRef[]): Promise<void>;
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

/**
 * What became of one new object:
 * - `started`: its workflow started (a replay that finds the record written but no execution, after a
 *   first delivery that crashed in between, starts it too);
 * - `already-started`: a replay of an event whose image exists and whose workflow was started;
 * - `key-reused`: another object version at a key that already has its image (a presigned POST used
 *   twice, or a PUT by other means): that version is deleted, so that the image's own original stays
 *   the current version, and nothing starts;
 * - `image-deleted`: the image's workflow exists but its record did not: the owner deleted the image
 *   and this is a replayed or redriven event (or a presigned POST used again afterwards). The record
 *   the trigger wrote is removed again and the object version deleted: the image stays deleted.
 */
export type StartOutcome = 'started' | 'already-started' | 'key-reused' | 'image-deleted';

export interface UploadOutcome {
  imageId: string;
  ownerId: string;
  key: string;
  versionId?: string | undefined;
  outcome: StartOutcome;
}

const KEY_LAYOUT = `${UPLOADS_PREFIX}<ownerId>/<uploadId>/<file name>`;

/** Reads the owner, the upload and the file name from a decoded key laid out as KEY_LAYOUT. */
export function parseUploadKey(key: string): UploadKey {
  const refuse = (reason: string, cause?: z.ZodError) =>
    new ValidationError(`Object key ${JSON.stringify(key)} ${reason}`, {
      ...(cause ? { cause } : {}),
      details: [{ path: 'key', message: reason }],
    });
  if (!key.startsWith(UPLOADS_PREFIX)) throw refuse(`is not an upload: expected ${KEY_LAYOUT}`);
  const segments = key.slice(UPLOADS_PREFIX.length).split('/');
  const [ownerId, uploadId, fileName] = segments;
  if (segments.length !== 3 || !ownerId || !uploadId || !fileName) {
    throw refuse(`is not an upload: expected ${KEY_LAYOUT}`);
  }
  for (const [name, value] of [
    ['owner id', ownerId],
    ['upload id', uploadId],
  ] as const) {
    const parsed = identifier.safeParse(value);
    if (!parsed.success)
      throw refuse(`names an invalid ${name}: ${parsed.error.issues[0]?.message}`, parsed.error);
  }
  return { key, ownerId, uploadId, fileName };
}

/**
 * One image per upload key: every presigned POST has a key of its own (uploads/<owner>/<uploadId>/...),
 * so the key alone names the image, and a replayed notification (S3 delivers at least once) finds its
 * record already written. The object version is kept in the record, to tell a replay (same version)
 * from another object at the same key.
 */
export function imageIdOf(bucket: string, key: string): string {
  return createHash('sha256').update(`${bucket}\n${key}`).digest('hex').slice(0, 32);
}

export function processingRecord(
  object: CreatedObject,
  upload: UploadKey,
  now: Date,
): ImageRecord & { status: 'PROCESSING' } {
  const timestamp = now.toISOString();
  return {
    imageId: imageIdOf(object.bucket, upload.key),
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
 * StartExecution, the replay starts the execution it missed. An object that is not its key's image
 * (key-reused) or whose image was deleted (image-deleted) starts nothing and is deleted.
 */
export function createProcessingStarter({
  images,
  objects,
  workflow,
  clock,
}: {
  images: ImageStore;
  objects: UploadObjects;
  workflow: Workflow;
  clock: Clock;
}) {
  return {
    async start(object: CreatedObject): Promise<UploadOutcome> {
      const upload = parseUploadKey(object.key);
      const record = processingRecord(object, upload, clock());
      const outcome = (value: StartOutcome): UploadOutcome => ({
        imageId: record.imageId,
        ownerId: record.ownerId,
        key: record.key,
        versionId: record.versionId,
        outcome: value,
      });
      const thisVersion = { bucket: record.bucket, key: record.key, versionId: record.versionId };
      const written = await images.createIfAbsent(record);
      if (written !== 'created' && written.existing.versionId !== record.versionId) {
        await objects.deleteObjects([thisVersion]);
        return outcome('key-reused');
      }
      const execution = await workflow.start(record.imageId, jobOf(record));
      if (execution === 'started') return outcome('started');
      if (written !== 'created') return outcome('already-started');
      // The record was absent, yet the workflow had run: the owner deleted the image meanwhile.
      await images.deleteIfUnchanged(record);
      await objects.deleteObjects([thisVersion]);
      return outcome('image-deleted');
    },
  };
}

export type ProcessingStarter = ReturnType<typeof createProcessingStarter>;
