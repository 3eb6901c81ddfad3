import type { ImageLabel, ImageRecord } from '@serverless-patterns/shared/schemas/api';
import type { GalleryObjects, GalleryStore, PageKey, UploadPolicy } from '../../src/core/gallery';
import type { ObjectRef } from '../../src/core/images';
import type { ImageUpdates, LabelDetector, ObjectStore } from '../../src/core/workflow';

/** The images bucket in memory: objects by "bucket/key". */
export function createFakeBucket(objects: Record<string, Uint8Array> = {}) {
  const stored = new Map(Object.entries(objects));
  const reads: string[] = [];
  const policies: UploadPolicy[] = [];
  const deleted: ObjectRef[] = [];
  const at = (ref: ObjectRef) => `${ref.bucket}/${ref.key}`;
  const store: ObjectStore & GalleryObjects = {
    async size(ref) {
      const body = stored.get(at(ref));
      if (body === undefined) throw Object.assign(new Error('NotFound'), { name: 'NotFound' });
      return body.length;
    },
    async read(ref) {
      reads.push(at(ref));
      const body = stored.get(at(ref));
      if (body === undefined) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
      return body;
    },
    async write(bucket, key, body) {
      stored.set(`${bucket}/${key}`, body);
    },
    async presignPost(policy) {
      policies.push(policy);
      return {
        url: `https://${policy.bucket}.s3.example`,
        fields: { key: policy.key, 'Content-Type': policy.contentType },
      };
    },
    async presignGet(ref, expiresInSeconds) {
      return `https://${ref.bucket}.s3.example/${ref.key}?versionId=${ref.versionId ?? ''}&expires=${expiresInSeconds}`;
    },
    async deleteObjects(refs) {
      for (const ref of refs) {
        deleted.push(ref);
        stored.delete(at(ref));
      }
    },
  };
  return { ...store, stored, reads, policies, deleted };
}

/** The images table in memory, with the workflow's updates and the gallery's reads. */
export function createFakeTable(records: ImageRecord[] = []) {
  const items = new Map(records.map((record) => [record.imageId, structuredClone(record)]));
  const update = async (
    imageId: string,
    changes: Partial<ImageRecord>,
    now: Date,
    remove: (keyof ImageRecord)[] = [],
  ) => {
    const record = items.get(imageId);
    if (record === undefined) return 'gone' as const;
    const next = { ...record, ...changes, updatedAt: now.toISOString() };
    for (const key of remove) delete next[key];
    items.set(imageId, next);
    return 'updated' as const;
  };
  const table: GalleryStore & ImageUpdates = {
    saveMetadata: (id, metadata, now) => update(id, { metadata }, now),
    markReady: (id, results, now) => update(id, { status: 'READY', ...results }, now, ['failure']),
    markUnsupported: (id, reason, metadata, now) =>
      update(id, { status: 'UNSUPPORTED', failure: reason, ...(metadata ? { metadata } : {}) }, now),
    markFailed: (id, failure, now) => update(id, { status: 'FAILED', failure }, now, ['thumbnails']),
    async get(imageId) {
      return items.get(imageId);
    },
    async listByOwner(ownerId, { limit, after }) {
      const sorted = [...items.values()]
        .filter((record) => record.ownerId === ownerId)
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      const start = after ? sorted.findIndex((record) => record.imageId === after.imageId) + 1 : 0;
      const page = sorted.slice(start, start + limit);
      const last = page.at(-1);
      const next: PageKey | undefined =
        start + limit < sorted.length && last
          ? { imageId: last.imageId, ownerId: last.ownerId, createdAt: last.createdAt }
          : undefined;
      return next ? { items: page, next } : { items: page };
    },
    async delete(imageId) {
      items.delete(imageId);
    },
  };
  return { ...table, items };
}

export function createFakeDetector(labels: ImageLabel[] = [{ name: 'Cup', confidence: 97.5 }]) {
  const received: Uint8Array[] = [];
  const detector: LabelDetector & { received: Uint8Array[]; failWith?: string } = {
    received,
    async detect(jpeg) {
      received.push(jpeg);
      if (detector.failWith) throw Object.assign(new Error(detector.failWith), { name: detector.failWith });
      return labels;
    },
  };
  return detector;
}
