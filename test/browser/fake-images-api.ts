import { readFile } from 'node:fs/promises';
import type { ImageView } from '@serverless-patterns/shared/schemas/api';
import type { Page, Route } from 'playwright-core';
import { PHOTO } from './chromium';

/**
 * The image pipeline's API and its bucket as the portal's contract describes them, answered inside
 * the browser (Playwright routes), so that the Images page can be tried before the pipeline runs
 * end to end. images.browser-pending.ts tries the same page against the real one.
 *
 * - `GET /images`, `GET|DELETE /images/{id}`, `POST /images/uploads` on the portal's origin;
 * - the presigned POST goes to `<portal>/fake-s3/images-bucket`, which accepts (204) or refuses with
 *   S3's XML error, as `storage` says;
 * - a file accepted is not listed at the first listing (S3's notification is on its way), is
 *   PROCESSING at the next, then takes the shape `processed` gives it.
 */

export interface SentRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  /** The multipart field names of a POST to the bucket, in order. */
  formFields?: string[];
}

export interface FakeImagesApi {
  images: ImageView[];
  requests: SentRequest[];
  storage: 'accept' | { status: number; code: string; message: string };
  /** What the pipeline makes of an upload once done. */
  processed(record: ImageView): ImageView;
  /** The URL of a file in the fake bucket (a thumbnail, say). */
  fileUrl(name: string): string;
  stop(): Promise<void>;
}

export const OWNER_ID = 'fake-owner';
const BUCKET = 'images-bucket';
const MAX_BYTES = 10_000_000;

export async function fakeImagesApi(page: Page, portal: string): Promise<FakeImagesApi> {
  const origin = new URL(portal).origin;
  const photo = await readFile(PHOTO);
  // Accepted uploads, and how many listings each has seen since.
  const accepted: { key: string; listings: number; imageId: string }[] = [];
  let issued = 0;

  const fake: FakeImagesApi = {
    images: [],
    requests: [],
    storage: 'accept',
    processed: (record) => ({ ...record, status: 'READY', updatedAt: new Date().toISOString() }),
    fileUrl: (name) => `${origin}/fake-s3/${BUCKET}/${name}`,
    stop: () => page.unroute(matches, handle),
  };

  const matches = (url: URL) =>
    url.origin === origin &&
    (url.pathname === '/images' ||
      url.pathname.startsWith('/images/') ||
      url.pathname.startsWith('/fake-s3/'));

  const json = (route: Route, status: number, body?: unknown) =>
    route.fulfill(body === undefined ? { status } : { status, json: body });

  const advancePipeline = () => {
    for (const upload of accepted) {
      upload.listings += 1;
      const now = new Date().toISOString();
      if (upload.listings === 2) {
        fake.images.unshift({
          imageId: upload.imageId,
          ownerId: OWNER_ID,
          bucket: BUCKET,
          key: upload.key,
          status: 'PROCESSING',
          createdAt: now,
          updatedAt: now,
        });
      }
      if (upload.listings === 3) {
        fake.images = fake.images.map((image) =>
          image.imageId === upload.imageId ? fake.processed(image) : image,
        );
      }
    }
  };

  async function handle(route: Route): Promise<void> {
    const request = route.request();
    const url = new URL(request.url());
    const method = request.method();
    const sent: SentRequest = {
      method,
      path: url.pathname,
      authorization: await request.headerValue('authorization').then((value) => value ?? undefined),
    };
    fake.requests.push(sent);
    const imageId = decodeURIComponent(url.pathname.split('/')[2] ?? '');
    const found = fake.images.find((image) => image.imageId === imageId);

    if (url.pathname.startsWith('/fake-s3/')) {
      if (method === 'GET') return route.fulfill({ status: 200, contentType: 'image/png', body: photo });
      sent.formFields = [
        ...(request.postDataBuffer()?.toString('latin1') ?? '').matchAll(/; name="([^"]+)"/g),
      ].map((match) => match[1] ?? '');
      const key = /name="key"\r\n\r\n([^\r]*)/.exec(request.postDataBuffer()?.toString('latin1') ?? '')?.[1];
      if (fake.storage !== 'accept') {
        const { status, code, message } = fake.storage;
        return route.fulfill({
          status,
          contentType: 'application/xml',
          body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>FAKE</RequestId></Error>`,
        });
      }
      accepted.push({ key: key ?? '', listings: 0, imageId: `image-${accepted.length + 1}` });
      return route.fulfill({ status: 204 });
    }
    if (method === 'GET' && url.pathname === '/images') {
      advancePipeline();
      return json(route, 200, { images: fake.images });
    }
    if (method === 'POST' && url.pathname === '/images/uploads') {
      const body = request.postDataJSON() as { fileName: string; contentType: string; sizeBytes: number };
      issued += 1;
      const key = `uploads/${OWNER_ID}/upload-${issued}/${body.fileName}`;
      return json(route, 201, {
        key,
        upload: {
          url: `${origin}/fake-s3/${BUCKET}`,
          fields: {
            key,
            'Content-Type': body.contentType,
            Policy: `fake-policy-${issued}`,
            'X-Amz-Signature': 'fake',
          },
        },
        maxBytes: MAX_BYTES,
        expiresAt: new Date(Date.now() + 300_000).toISOString(),
        quota: {
          limit: 100,
          remaining: 100 - issued,
          resetsAt: new Date(Date.now() + 3_600_000).toISOString(),
        },
      });
    }
    if (found === undefined) {
      return json(route, 404, { error: { code: 'NOT_FOUND', message: `Image ${imageId} not found` } });
    }
    if (method === 'GET') return json(route, 200, { image: found });
    if (method === 'DELETE') {
      fake.images = fake.images.filter((image) => image !== found);
      return json(route, 204);
    }
    return json(route, 405, { error: { code: 'METHOD_NOT_ALLOWED', message: `${method} is not allowed` } });
  }

  await page.route(matches, handle);
  return fake;
}
