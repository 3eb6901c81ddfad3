import { NotFoundError, ValidationError } from '@serverless-patterns/shared/errors';
import type {
  CreateUploadRequest,
  CreateUploadResponse,
  ImageRecord,
  ImageView,
  ListImagesResponse,
} from '@serverless-patterns/shared/schemas/api';
import { identifier } from '@serverless-patterns/shared/schemas/common';
import * as z from 'zod';
import { type ObjectRef, thumbnailKeys } from './images';
import type { UploadQuotaPolicy } from './upload-quota';
import { type Clock, UPLOADS_PREFIX } from './uploads';

// The routes of this service (base path /images): presigned uploads, the owner's gallery, deletion.

/** Presigned POSTs and GET URLs expire after 5 minutes. */
export const PRESIGNED_TTL_SECONDS = 300;
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

/** The key of an item of the byOwner index, as DynamoDB returns it in LastEvaluatedKey. */
export interface PageKey {
  imageId: string;
  ownerId: string;
  createdAt: string;
}

export interface GalleryStore {
  get(imageId: string): Promise<ImageRecord | undefined>;
  /** The owner's images, newest first. */
  listByOwner(
    ownerId: string,
    page: { limit: number; after?: PageKey },
  ): Promise<{ items: ImageRecord[]; next?: PageKey }>;
  delete(imageId: string): Promise<void>;
}

export interface UploadPolicy {
  bucket: string;
  key: string;
  contentType: string;
  maxBytes: number;
  expiresInSeconds: number;
}

export interface GalleryObjects {
  /** A presigned POST that accepts one object: this key, this content type, 1 to maxBytes bytes. */
  presignPost(policy: UploadPolicy): Promise<{ url: string; fields: Record<string, string> }>;
  presignGet(object: ObjectRef, expiresInSeconds: number): Promise<string>;
  /** Deletes objects; with a versionId, that version (for good), else the current one. */
  deleteObjects(objects: readonly ObjectRef[]): Promise<void>;
}

/** GET /images query parameters; unknown ones are ignored. */
export const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  nextToken: z.string().min(1).max(2048).optional(),
});

export type ListQuery = z.infer<typeof listQuerySchema>;

const pageKeySchema = z
  .object({ imageId: identifier, ownerId: identifier, createdAt: z.string().min(1) })
  .strict();

/**
 * A file name that is safe as the last segment of an S3 key and in a URL: letters, digits, '.', '_' and
 * '-' (accents dropped, anything else a '-'), at most 100 characters, keeping the extension.
 */
export function safeFileName(fileName: string): string {
  const ascii = fileName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[.-]+|[.-]+$/g, '');
  if (ascii.length <= 100) return ascii === '' ? 'image' : ascii;
  const dot = ascii.lastIndexOf('.');
  const extension = dot > 0 && ascii.length - dot <= 10 ? ascii.slice(dot) : '';
  return `${ascii.slice(0, 100 - extension.length)}${extension}`;
}

export function encodePageToken(key: PageKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** The caller's own token or a 400: another owner's key would make DynamoDB refuse the query (a 500). */
export function decodePageToken(token: string, ownerId: string): PageKey {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  const key = pageKeySchema.safeParse(value);
  if (!key.success || key.data.ownerId !== ownerId) {
    throw new ValidationError('Invalid query parameters at nextToken', {
      details: [{ path: 'nextToken', message: 'not a token this API returned to you' }],
    });
  }
  return key.data;
}

/**
 * POST /images/uploads: a presigned POST for one photo, at a key of its own under the caller's
 * uploads/ prefix (uploads/<owner>/<uploadId>/<file name>: two photos of the same name are two
 * originals), once the caller's quota of the day allows it.
 */
export function createUploadPresigner({
  objects,
  quota,
  bucket,
  clock,
  newUploadId,
}: {
  objects: Pick<GalleryObjects, 'presignPost'>;
  quota: UploadQuotaPolicy;
  bucket: string;
  clock: Clock;
  /** A new identifier per upload, never reused (a random UUID). */
  newUploadId: () => string;
}) {
  return {
    async createUpload(ownerId: string, request: CreateUploadRequest): Promise<CreateUploadResponse> {
      const { fileName, contentType, sizeBytes } = request;
      const now = clock();
      const allowance = await quota.take(ownerId, now);
      const key = `${UPLOADS_PREFIX}${ownerId}/${newUploadId()}/${safeFileName(fileName)}`;
      const expiresAt = new Date(now.getTime() + PRESIGNED_TTL_SECONDS * 1000).toISOString();
      const upload = await objects.presignPost({
        bucket,
        key,
        contentType,
        maxBytes: sizeBytes,
        expiresInSeconds: PRESIGNED_TTL_SECONDS,
      });
      return { key, upload, maxBytes: sizeBytes, expiresAt, quota: allowance };
    },
  };
}

/** The owner's gallery: list, show and delete their images (each record names its own bucket). */
export function createGallery({
  images,
  objects,
}: {
  images: GalleryStore;
  objects: Pick<GalleryObjects, 'presignGet' | 'deleteObjects'>;
}) {
  const ownImage = async (ownerId: string, imageId: unknown): Promise<ImageRecord> => {
    const id = identifier.safeParse(imageId);
    if (!id.success) throw new NotFoundError('Image not found');
    const record = await images.get(id.data);
    // Another owner's image is answered exactly like a missing one: its existence is not disclosed.
    if (record === undefined || record.ownerId !== ownerId) throw new NotFoundError('Image not found');
    return record;
  };

  const view = async (record: ImageRecord, which: ReadonlyArray<'square' | 'preview' | 'original'>) => {
    const refs: Partial<Record<'square' | 'preview' | 'original', ObjectRef>> = {};
    if (record.thumbnails && which.includes('square'))
      refs.square = { bucket: record.bucket, key: record.thumbnails.square };
    if (record.thumbnails && which.includes('preview'))
      refs.preview = { bucket: record.bucket, key: record.thumbnails.preview };
    if (which.includes('original'))
      refs.original = { bucket: record.bucket, key: record.key, versionId: record.versionId };
    const urls: NonNullable<ImageView['urls']> = Object.fromEntries(
      await Promise.all(
        Object.entries(refs).map(async ([name, ref]) => [
          name,
          await objects.presignGet(ref, PRESIGNED_TTL_SECONDS),
        ]),
      ),
    );
    return { ...record, ...(Object.keys(urls).length > 0 ? { urls } : {}) } satisfies ImageView;
  };

  return {
    async list(ownerId: string, query: ListQuery): Promise<ListImagesResponse> {
      const { limit, nextToken } = query;
      const after = nextToken === undefined ? undefined : decodePageToken(nextToken, ownerId);
      const page = await images.listByOwner(ownerId, { limit, ...(after ? { after } : {}) });
      const views = await Promise.all(page.items.map((record) => view(record, ['square', 'preview'])));
      return { images: views, ...(page.next ? { nextToken: encodePageToken(page.next) } : {}) };
    },

    async get(ownerId: string, imageId: unknown): Promise<{ image: ImageView }> {
      return { image: await view(await ownImage(ownerId, imageId), ['square', 'preview', 'original']) };
    },

    /** The original, the thumbnails, then the record: if a delete fails, the record is still there to retry. */
    async delete(ownerId: string, imageId: unknown): Promise<void> {
      const record = await ownImage(ownerId, imageId);
      // The thumbnails' keys are known even while the image is processing (or if it failed).
      const thumbnails = Object.values(thumbnailKeys(record.ownerId, record.imageId));
      await objects.deleteObjects([
        { bucket: record.bucket, key: record.key, versionId: record.versionId },
        ...thumbnails.map((key) => ({ bucket: record.bucket, key })),
      ]);
      await images.delete(record.imageId);
    },
  };
}

export type Gallery = ReturnType<typeof createGallery>;
