import type { ImageLabel, ImageRecord } from '@serverless-patterns/shared/schemas/api';
import type { GalleryObjects, GalleryStore, PageKey, UploadPolicy } from '../../src/core/gallery';
import type { ObjectRef } from '../../src/core/images';
import type { UploadCounter } from '../../src/core/upload-quota';
import type { ImageUpdates, LabelDetector, ObjectStore } from '../../src/core/workflow';

/** The images bucket in memory: objects by "bucket/key". */
export function createFakeBucket(objects: Record<string, Uint8Array> = {}) {
  const stored = new Map(Object.entries(objects));
  const reads: string[] = [];
  const policies: UploadPolicy[] = [];
  const deleted: ObjectRef[] = [];
  const at = (ref: ObjectRef) => `${ref.bucket}/${ref.key}`;
  const get = (ref: ObjectRef) => {
    const body = stored.get(at(ref));
    if (body === undefined) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
    return body;
  };
  const store: ObjectStore & GalleryObjects = {
    async read(ref) {
      reads.push(at(ref));
      return get(ref);
    },
    async readAtMost(ref, maxBytes) {
      const body = get(ref);
      if (body.length > maxBytes) return { oversize: body.length };
      reads.push(at(ref));
      return { bytes: body };
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
    markReady: (id, results, now) => update(id, { status: 'READY', ...results }, now, ['failure']),
    markUnsupported: (id, reason, metadata, now) =>
      update(id, { status: 'UNSUPPORTED', failure: reason, ...(metadata ? { metadata } : {}) }, now),
    markFailed: (id, failure, metadata, now) =>
      update(id, { status: 'FAILED', failure, ...(metadata ? { metadata } : {}) }, now, ['thumbnails']),
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

/** The upload counts in memory, by "owner/day", with the expiry each was last given. */
export function createFakeCounter() {
  const counts = new Map<string, number>();
  const expiries = new Map<string, Date>();
  const counter: UploadCounter = {
    async take(ownerId, day, limit, expiresAt) {
      const at = `${ownerId}/${day}`;
      const count = counts.get(at) ?? 0;
      if (count >= limit) return 'exhausted';
      counts.set(at, count + 1);
      expiries.set(at, expiresAt);
      return count + 1;
    },
  };
  return { ...counter, counts, expiries };
}
