import {
  type ImageFailure,
  type ImageLabel,
  type ImageMetadata,
  type ImageThumbnails,
  imageFailureSchema,
  imageLabelSchema,
  imageMetadataSchema,
  imageThumbnailsSchema,
  MAX_UPLOAD_BYTES,
} from '@serverless-patterns/shared/schemas/api';
import { z } from 'zod';
import type * as ImageProcessing from './image-processing';
import type { Extraction } from './image-processing';
import {
  DEFAULT_LIMITS,
  type ImageJob,
  imageJobSchema,
  type ObjectRef,
  type ProcessingLimits,
  THUMBNAIL_CONTENT_TYPE,
  thumbnailKeys,
  UnsupportedReason,
} from './images';
import type { Clock } from './uploads';

// The steps of the processing state machine (serverless.yml, stepFunctions), one function each, and
// each built from only what it uses. The state machine passes them its state as Payload; each step
// returns what the state machine keeps.

/** The images bucket, as the workflow uses it; implemented by the S3 adapter. */
export interface ObjectStore {
  /** The object's size in bytes, from its headers. */
  size(object: ObjectRef): Promise<number>;
  read(object: ObjectRef): Promise<Uint8Array>;
  write(bucket: string, key: string, body: Uint8Array, contentType: string): Promise<void>;
  /** Deletes these objects (the current version when none is named); absent ones are not an error. */
  deleteObjects(objects: readonly ObjectRef[]): Promise<void>;
}

/** The record updates of the workflow; each resolves 'gone' when the record no longer exists. */
export interface ImageUpdates {
  saveMetadata(imageId: string, metadata: ImageMetadata, now: Date): Promise<'updated' | 'gone'>;
  markReady(
    imageId: string,
    results: { labels: ImageLabel[]; thumbnails: ImageThumbnails },
    now: Date,
  ): Promise<'updated' | 'gone'>;
  markUnsupported(
    imageId: string,
    reason: ImageFailure,
    metadata: ImageMetadata | undefined,
    now: Date,
  ): Promise<'updated' | 'gone'>;
  markFailed(imageId: string, failure: ImageFailure, now: Date): Promise<'updated' | 'gone'>;
}

/**
 * The decoding (sharp, exifr: core/image-processing.ts), loaded by the three steps that decode when they
 * first do: sharp reaches Lambda only through those functions' layer, so no other bundle may load it.
 */
export type ImageDecoding = Pick<typeof ImageProcessing, 'extractMetadata' | 'labelImage' | 'makeThumbnails'>;
export type LoadDecoding = () => Promise<ImageDecoding>;

/** What a decoding step is given besides its objects: the decoding, and the limits it applies. */
interface Decoding {
  decoding: LoadDecoding;
  limits?: ProcessingLimits;
}

/** What a step that records an outcome is given: the one update it makes, and the time. */
interface Recording<Update extends keyof ImageUpdates> {
  images: Pick<ImageUpdates, Update>;
  clock: Clock;
}

/** Steps that may leave thumbnails behind delete them. */
interface ThumbnailDeletion {
  objects: Pick<ObjectStore, 'deleteObjects'>;
}

export interface LabelDetector {
  /** Labels of a JPEG of at most 5 MB, most confident first. */
  detect(jpeg: Uint8Array): Promise<ImageLabel[]>;
}

/**
 * Above this, an object is not even downloaded: UNSUPPORTED (FileTooLarge). The presigned POST refuses
 * larger uploads already; this catches objects put by other means (the CLI, the SDK).
 */
export const MAX_OBJECT_BYTES = MAX_UPLOAD_BYTES;

// The state at each step. Schemas are not strict: a step reads what it needs from the whole state.

export const extractedStateSchema = imageJobSchema.extend({
  extraction: z.discriminatedUnion('supported', [
    z.object({ supported: z.literal(true), metadata: imageMetadataSchema }),
    z.object({
      supported: z.literal(false),
      reason: imageFailureSchema,
      metadata: imageMetadataSchema.optional(),
    }),
  ]),
});
export type ExtractedState = z.infer<typeof extractedStateSchema>;

/** After the Parallel state: [labels branch, thumbnails branch], each its result (failures go to recordFailure). */
export const analysedStateSchema = extractedStateSchema.extend({
  analysis: z.tuple([
    z.object({ labels: z.array(imageLabelSchema) }),
    z.object({ thumbnails: imageThumbnailsSchema }),
  ]),
});
export type AnalysedState = z.infer<typeof analysedStateSchema>;

/**
 * What a Catch adds (ResultPath $.failure): Error and Cause. A Lambda error's Cause is a JSON document
 * with errorType, errorMessage and trace:
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html#error-handling-examples
 */
export const failedStateSchema = imageJobSchema.extend({
  failure: z.object({ Error: z.string(), Cause: z.string().optional() }),
});
export type FailedState = z.infer<typeof failedStateSchema>;

/** The error name and message of a caught failure; stack traces stay in the logs, not in the record. */
export function describeFailure(failure: FailedState['failure']): ImageFailure {
  let cause = failure.Cause ?? '';
  try {
    const parsed: unknown = JSON.parse(cause);
    if (typeof parsed === 'object' && parsed !== null && 'errorMessage' in parsed) {
      cause = String(parsed.errorMessage);
    }
  } catch {
    // Not JSON: a Step Functions error (States.Timeout, ...) whose Cause is plain text.
  }
  return { error: failure.Error, cause: cause.slice(0, 1000) };
}

/** Step 1: metadata, and whether the image can be processed (the Choice state reads `supported`). */
export function createMetadataExtractor({
  objects,
  decoding,
  limits = DEFAULT_LIMITS,
  maxObjectBytes = MAX_OBJECT_BYTES,
}: Decoding & { objects: Pick<ObjectStore, 'size' | 'read'>; maxObjectBytes?: number }) {
  return {
    async extractMetadata(job: ImageJob): Promise<ExtractedState> {
      const size = await objects.size(job);
      const extraction: Extraction =
        size > maxObjectBytes
          ? {
              supported: false,
              reason: {
                error: UnsupportedReason.tooLarge,
                cause: `The file is ${size} bytes, over the limit of ${maxObjectBytes}.`,
              },
            }
          : await (await decoding()).extractMetadata(await objects.read(job), limits);
      return { ...job, extraction };
    },
  };
}

/** Step 3: the metadata on the record (the status stays PROCESSING). */
export function createMetadataRecorder({ images, clock }: Recording<'saveMetadata'>) {
  return {
    async storeMetadata(state: ExtractedState): Promise<'updated' | 'gone'> {
      if (!state.extraction.supported) throw new Error('storeMetadata reached with an unsupported image');
      return images.saveMetadata(state.imageId, state.extraction.metadata, clock());
    },
  };
}

/** Step 4, first branch: labels of an upright JPEG copy of the original. */
export function createLabeller({
  objects,
  detector,
  decoding,
  limits = DEFAULT_LIMITS,
}: Decoding & {
  objects: Pick<ObjectStore, 'read'>;
  /** Absent when label detection is switched off (stage parameter labelDetection): images get no labels. */
  detector: LabelDetector | undefined;
}) {
  return {
    async detectLabels(job: ImageJob): Promise<{ labels: ImageLabel[] }> {
      if (detector === undefined) return { labels: [] };
      const { labelImage } = await decoding();
      return { labels: await detector.detect(await labelImage(await objects.read(job), limits)) };
    },
  };
}

/** Step 4, second branch: both thumbnails, written where thumbnailKeys says. */
export function createThumbnailer({
  objects,
  decoding,
  limits = DEFAULT_LIMITS,
}: Decoding & { objects: Pick<ObjectStore, 'read' | 'write'> }) {
  return {
    async makeThumbnails(job: ImageJob): Promise<{ thumbnails: ImageThumbnails }> {
      const made = await (await decoding()).makeThumbnails(await objects.read(job), limits);
      const keys = thumbnailKeys(job.ownerId, job.imageId);
      await Promise.all([
        objects.write(job.bucket, keys.square, made.square, THUMBNAIL_CONTENT_TYPE),
        objects.write(job.bucket, keys.preview, made.preview, THUMBNAIL_CONTENT_TYPE),
      ]);
      return { thumbnails: keys };
    },
  };
}

/**
 * Step 5: READY with labels and thumbnails. If the owner deleted the image while it was processed, the
 * thumbnails just written would belong to nothing: they are deleted.
 */
export function createResultsRecorder({
  images,
  objects,
  clock,
}: Recording<'markReady'> & ThumbnailDeletion) {
  return {
    async storeResults(state: AnalysedState): Promise<'updated' | 'gone'> {
      const [{ labels }, { thumbnails }] = state.analysis;
      const outcome = await images.markReady(state.imageId, { labels, thumbnails }, clock());
      if (outcome === 'gone') await objects.deleteObjects(inBucket(state.bucket, thumbnails));
      return outcome;
    },
  };
}

/** The Choice state's default: UNSUPPORTED with the reason, and the workflow ends. */
export function createUnsupportedRecorder({ images, clock }: Recording<'markUnsupported'>) {
  return {
    async recordUnsupported(state: ExtractedState): Promise<'updated' | 'gone'> {
      if (state.extraction.supported) throw new Error('recordUnsupported reached with a supported image');
      return images.markUnsupported(
        state.imageId,
        state.extraction.reason,
        state.extraction.metadata,
        clock(),
      );
    },
  };
}

/** The Catch target: FAILED with the error and its cause, and no thumbnail left behind. */
export function createFailureRecorder({
  images,
  objects,
  clock,
}: Recording<'markFailed'> & ThumbnailDeletion) {
  return {
    async recordFailure(state: FailedState): Promise<'updated' | 'gone'> {
      const keys = thumbnailKeys(state.ownerId, state.imageId);
      await objects.deleteObjects(inBucket(state.bucket, keys));
      return images.markFailed(state.imageId, describeFailure(state.failure), clock());
    },
  };
}

const inBucket = (bucket: string, thumbnails: ImageThumbnails): ObjectRef[] =>
  Object.values(thumbnails).map((key) => ({ bucket, key }));
