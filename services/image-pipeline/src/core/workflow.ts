import {
  type ImageFailure,
  type ImageFailureCode,
  type ImageLabel,
  type ImageMetadata,
  type ImageThumbnails,
  imageFailureSchema,
  imageLabelSchema,
  imageMetadataSchema,
  imageThumbnailsSchema,
  MAX_UPLOAD_BYTES,
} from '@serverless-patterns/shared/schemas/api';
import * as z from 'zod';
import type * as ImageProcessing from './image-processing';
import type { Extraction } from './image-processing';
import {
  DEFAULT_LIMITS,
  failureOf,
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
  read(object: ObjectRef): Promise<Uint8Array>;
  /** The object's bytes, or only its size when it has more than maxBytes (then its body is not read). */
  readAtMost(object: ObjectRef, maxBytes: number): Promise<{ bytes: Uint8Array } | { oversize: number }>;
  write(bucket: string, key: string, body: Uint8Array, contentType: string): Promise<void>;
  /** Deletes these objects (the current version when none is named); absent ones are not an error. */
  deleteObjects(objects: readonly ObjectRef[]): Promise<void>;
}

/**
 * The record updates of the workflow, each the image's last: its outcome and, when it was read, its
 * metadata. Each resolves 'gone' when the record no longer exists (the owner deleted the image).
 */
export interface ImageUpdates {
  markReady(
    imageId: string,
    results: { metadata: ImageMetadata; labels: ImageLabel[]; thumbnails: ImageThumbnails },
    now: Date,
  ): Promise<'updated' | 'gone'>;
  markUnsupported(
    imageId: string,
    reason: ImageFailure,
    metadata: ImageMetadata | undefined,
    now: Date,
  ): Promise<'updated' | 'gone'>;
  markFailed(
    imageId: string,
    failure: ImageFailure,
    metadata: ImageMetadata | undefined,
    now: Date,
  ): Promise<'updated' | 'gone'>;
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

const extractionSchema = z.discriminatedUnion('supported', [
  z.object({ supported: z.literal(true), metadata: imageMetadataSchema }),
  z.object({
    supported: z.literal(false),
    reason: imageFailureSchema,
    detail: z.string(),
    metadata: imageMetadataSchema.optional(),
  }),
]);

export const extractedStateSchema = imageJobSchema.extend({ extraction: extractionSchema });
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
 * A failure after ExtractMetadata keeps the extraction in the state: its metadata is recorded too.
 */
export const failedStateSchema = imageJobSchema.extend({
  failure: z.object({ Error: z.string(), Cause: z.string().optional() }),
  extraction: extractionSchema.optional(),
});
export type FailedState = z.infer<typeof failedStateSchema>;

/**
 * Errors of the services a step calls (Lambda, S3, DynamoDB, Rekognition) that say "busy or down,
 * try later", by the names the SDKs and Step Functions give them.
 * https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html
 */
const UNAVAILABLE_ERRORS: ReadonlySet<string> = new Set([
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'ThrottlingException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'InternalServerError',
  'InternalError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'SlowDown',
]);

/** Step Functions' own timeouts, and a Lambda function stopped at its timeout. */
const TIMEOUT_ERRORS: ReadonlySet<string> = new Set([
  'States.Timeout',
  'States.HeartbeatTimeout',
  'Sandbox.Timedout',
]);

/**
 * The code of a caught failure, from its error name only: the Cause (an error message, a stack trace,
 * perhaps a role ARN and the account id) is logged by the step that records it, never stored.
 */
export function failureCodeOf(failure: FailedState['failure']): ImageFailureCode {
  if (TIMEOUT_ERRORS.has(failure.Error) || /Task timed out/.test(failure.Cause ?? ''))
    return 'ProcessingTimedOut';
  if (UNAVAILABLE_ERRORS.has(failure.Error)) return 'ServiceUnavailable';
  return 'ProcessingError';
}

/**
 * Step 1: metadata, and whether the image can be processed (the Choice state reads `supported`). One
 * GET: an object over the limit is refused from its Content-Length, its body left unread.
 */
export function createMetadataExtractor({
  objects,
  decoding,
  limits = DEFAULT_LIMITS,
  maxObjectBytes = MAX_OBJECT_BYTES,
}: Decoding & { objects: Pick<ObjectStore, 'readAtMost'>; maxObjectBytes?: number }) {
  return {
    async extractMetadata(job: ImageJob): Promise<ExtractedState> {
      const read = await objects.readAtMost(job, maxObjectBytes);
      const extraction: Extraction =
        'oversize' in read
          ? {
              supported: false,
              reason: failureOf(UnsupportedReason.tooLarge),
              detail: `The file is ${read.oversize} bytes, over the limit of ${maxObjectBytes}.`,
            }
          : await (await decoding()).extractMetadata(read.bytes, limits);
      return { ...job, extraction };
    },
  };
}

/** Step 2, first branch: labels of an upright JPEG copy of the original. */
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

/** Step 2, second branch: both thumbnails, written where thumbnailKeys says. */
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
 * Step 3: READY with metadata, labels and thumbnails, in one write. If the owner deleted the image while
 * it was processed, the thumbnails just written would belong to nothing: they are deleted.
 */
export function createResultsRecorder({
  images,
  objects,
  clock,
}: Recording<'markReady'> & ThumbnailDeletion) {
  return {
    async storeResults(state: AnalysedState): Promise<'updated' | 'gone'> {
      if (!state.extraction.supported) throw new Error('storeResults reached with an unsupported image');
      const { metadata } = state.extraction;
      const [{ labels }, { thumbnails }] = state.analysis;
      const outcome = await images.markReady(state.imageId, { metadata, labels, thumbnails }, clock());
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

/**
 * The Catch target: FAILED with the failure's code, then no thumbnail left behind. The record comes
 * first: if deleting the thumbnails fails, the image is FAILED already (not PROCESSING for ever), and
 * the state machine's Retry runs both again (each is idempotent); a thumbnail that outlived every
 * retry is at a key known from the record, which DELETE /images/{imageId} deletes.
 */
export function createFailureRecorder({
  images,
  objects,
  clock,
}: Recording<'markFailed'> & ThumbnailDeletion) {
  return {
    async recordFailure(state: FailedState): Promise<'updated' | 'gone'> {
      const failure = failureOf(failureCodeOf(state.failure));
      const outcome = await images.markFailed(state.imageId, failure, state.extraction?.metadata, clock());
      await objects.deleteObjects(inBucket(state.bucket, thumbnailKeys(state.ownerId, state.imageId)));
      return outcome;
    },
  };
}

const inBucket = (bucket: string, thumbnails: ImageThumbnails): ObjectRef[] =>
  Object.values(thumbnails).map((key) => ({ bucket, key }));
