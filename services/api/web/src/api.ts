// Types only: the schemas themselves (zod) would outweigh the portal.
import type {
  AlertsResponse,
  CatalogFacets,
  CatalogMatch,
  CatalogSearchResponse,
  CreateUploadRequest,
  CreateUploadResponse,
  DeviceAggregatesResponse,
  ImageStatus,
  ImageView,
  ListImagesResponse,
  ListProductsResponse,
  Product,
  ProductResponse,
  QueryView,
} from '@serverless-patterns/shared/schemas/api';
import type { PortalConfig } from './config';
import type { Session } from './session';

/** The API's shapes (services/api; shared/src/schemas/api/devices.ts). */
export interface Device {
  deviceId: string;
  ownerId: string;
  name: string;
  location: string;
  thresholdC: number;
  createdAt: string;
  updatedAt: string;
}

export interface DeviceRegistration {
  name: string;
  location: string;
  thresholdC: number;
}

export interface IssuedDeviceToken {
  deviceId: string;
  token: string;
}

export interface Profile {
  userId: string;
  email: string;
  groups: string[];
  isAdmin: boolean;
}

/** The telemetry's shapes (services/clickstream; shared/src/schemas/api/telemetry.ts). */
export type Alert = AlertsResponse['alerts'][number];
export type DeviceAggregates = DeviceAggregatesResponse;
/** The image pipeline's shapes (services/image-pipeline; shared/src/schemas/api/images.ts). */
/** The catalog's shapes (services/catalog; shared/src/schemas/api/catalog.ts). */
/** The shop's shapes (services/clickstream; shared/src/schemas/api/clicks.ts). */
export type {
  CatalogFacets,
  CatalogMatch,
  CatalogSearchResponse,
  CreateUploadRequest,
  CreateUploadResponse,
  ImageStatus,
  ImageView,
  ListImagesResponse,
  Product,
  QueryView,
};

/** The ops service's shapes (services/ops, its README's "Admin routes"). */
export interface OpsTask {
  name: string;
  action: 'CreateSnapshot' | 'DeleteSnapshots';
  schedule: string;
  retention?: { count?: number; days?: number };
  accounts: string[];
  regions: string[];
  dryRun: boolean;
  enabled: boolean;
}

export interface OpsRunSummary {
  runId: string;
  taskName: string;
  trigger: 'schedule' | 'manual';
  targets: number;
  dryRun: boolean;
  startedAt: string;
}

export interface OpsRunDetail {
  run: OpsRunSummary;
  targets: {
    accountId: string;
    target: { region: string };
    status: string;
    created: number;
    deleted: number;
    error?: string;
  }[];
  resources: {
    accountId: string;
    region: string;
    resourceId: string;
    action: string;
    outcome: string;
    reason?: string;
    error?: string;
  }[];
}

export interface OpsFinding {
  findingId: string;
  groupId: string;
  ruleId?: string;
  action: string;
  reason: string;
  detectedAt: string;
}

/** `GET /catalog/search`'s filters, as the lake's pages pass them on. */
export interface CatalogSearch {
  q?: string;
  dataset?: string;
  format?: string;
  zone?: string;
  sensitive?: string;
  limit?: number;
}

export interface FieldIssue {
  /** The field's name ('thresholdC'), dotted for nested ones; '(root)' for the body itself. */
  path: string;
  message: string;
}

/** `{ error: { code, message, details? } }` from the API, or what the portal makes of a failure. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: string;
  readonly fieldIssues: FieldIssue[];

  constructor(status: number, code: string, message: string, fieldIssues: FieldIssue[] = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.fieldIssues = fieldIssues;
  }
}

const STATUS_MESSAGES: Record<number, string> = {
  400: 'The request was not accepted.',
  401: 'Your session has ended. Sign in again.',
  403: 'You do not have access to this.',
  404: 'It no longer exists.',
  413: 'That is too much data to send at once.',
  429: 'Too many requests. Wait a moment and try again.',
  500: 'Something went wrong on our side. Try again in a moment.',
};

export function createApi(config: Pick<PortalConfig, 'apiBaseUrl'>, session: Session) {
  const send = async (method: string, path: string, token: string, body: unknown, signal?: AbortSignal) => {
    try {
      return await fetch(`${config.apiBaseUrl}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ApiError(0, 'NETWORK', 'The service cannot be reached. Check your connection and try again.');
    }
  };

  /**
   * `answers`: refusals whose body is still an answer to read, not only an error (a failed query
   * comes back as 422 with the query beside its error).
   */
  async function call<T>(
    method: string,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
    answers: readonly number[] = [],
  ): Promise<T> {
    let response = await send(method, path, await session.idToken(), body, signal);
    if (response.status === 401) {
      // The token may have expired in flight: renew once and retry; a second refusal ends the session.
      response = await send(method, path, await session.renew(), body, signal);
      if (response.status === 401) {
        session.expire();
        throw await errorFrom(response);
      }
    }
    if (!response.ok && !answers.includes(response.status)) throw await errorFrom(response);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  /** A route anyone may read (the shop's): no token, so that a visitor who is not signed in can. */
  async function read<T>(path: string, signal?: AbortSignal): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${config.apiBaseUrl}${path}`, {
        headers: { accept: 'application/json' },
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ApiError(0, 'NETWORK', 'The service cannot be reached. Check your connection and try again.');
    }
    if (!response.ok) throw await errorFrom(response);
    return (await response.json()) as T;
  }

  const device = (deviceId: string) => `/devices/${encodeURIComponent(deviceId)}`;
  // The image pipeline's API, at its base path on the same domain.
  const image = (imageId: string) => `/images/${encodeURIComponent(imageId)}`;

  return {
    async listDevices(signal?: AbortSignal): Promise<Device[]> {
      return (await call<{ devices: Device[] }>('GET', '/devices', undefined, signal)).devices;
    },
    registerDevice: (registration: DeviceRegistration) => call<Device>('POST', '/devices', registration),
    updateThreshold: (deviceId: string, thresholdC: number) =>
      call<Device>('PATCH', device(deviceId), { thresholdC }),
    deleteDevice: (deviceId: string) => call<void>('DELETE', device(deviceId)),
    issueDeviceToken: (deviceId: string) => call<IssuedDeviceToken>('POST', `${device(deviceId)}/token`),
    profile: (signal?: AbortSignal) => call<Profile>('GET', '/me', undefined, signal),
    listImages: (nextToken?: string, signal?: AbortSignal) =>
      call<ListImagesResponse>(
        'GET',
        nextToken === undefined ? '/images' : `/images?nextToken=${encodeURIComponent(nextToken)}`,
        undefined,
        signal,
      ),
    async getImage(imageId: string, signal?: AbortSignal): Promise<ImageView> {
      return (await call<{ image: ImageView }>('GET', image(imageId), undefined, signal)).image;
    },
    requestUpload: (request: CreateUploadRequest) =>
      call<CreateUploadResponse>('POST', '/images/uploads', request),
    deleteImage: (imageId: string) => call<void>('DELETE', image(imageId)),
    // clickstream's API (telemetry and alerts), at its base path on the same domain.
    deviceAggregates: (deviceId: string, from: string, signal?: AbortSignal) =>
      call<DeviceAggregates>(
        'GET',
        `/clicks/telemetry/${encodeURIComponent(deviceId)}/aggregates?from=${encodeURIComponent(from)}`,
        undefined,
        signal,
      ),
    async listAlerts(signal?: AbortSignal): Promise<Alert[]> {
      return (await call<AlertsResponse>('GET', '/clicks/alerts', undefined, signal)).alerts;
    },
    // The shop's products: clickstream's API (the table its clicks are enriched from), anonymous.
    async listProducts(signal?: AbortSignal): Promise<Product[]> {
      return (await read<ListProductsResponse>('/clicks/products', signal)).products;
    },
    async getProduct(productId: string, signal?: AbortSignal): Promise<Product> {
      const path = `/clicks/products/${encodeURIComponent(productId)}`;
      return (await read<ProductResponse>(path, signal)).product;
    },
    // The catalog's API, at its base path on the same domain.
    searchCatalog(search: CatalogSearch, signal?: AbortSignal): Promise<CatalogSearchResponse> {
      const query = new URLSearchParams();
      for (const [name, value] of Object.entries(search))
        if (value !== undefined && value !== '') query.set(name, String(value));
      return call<CatalogSearchResponse>('GET', `/catalog/search?${query}`, undefined, signal);
    },
    async startQuery(sql: string, signal?: AbortSignal): Promise<QueryView> {
      return (await call<{ query: QueryView }>('POST', '/catalog/queries', { sql }, signal)).query;
    },
    // The ops service's admin API, at its base path on the same domain.
    listOpsTasks: (signal?: AbortSignal) =>
      call<{ tasks: OpsTask[] }>('GET', '/ops/tasks', undefined, signal),
    runOpsTask: (name: string) =>
      call<{ run: OpsRunSummary }>('POST', `/ops/tasks/${encodeURIComponent(name)}/run`),
    listOpsRuns: (signal?: AbortSignal) =>
      call<{ runs: OpsRunSummary[]; nextToken?: string }>('GET', '/ops/runs?limit=25', undefined, signal),
    getOpsRun: (runId: string, signal?: AbortSignal) =>
      call<OpsRunDetail>('GET', `/ops/runs/${encodeURIComponent(runId)}`, undefined, signal),
    listOpsFindings: (signal?: AbortSignal) =>
      call<{ findings: OpsFinding[]; nextToken?: string }>(
        'GET',
        '/ops/findings?limit=25',
        undefined,
        signal,
      ),
    /** The query as it stands; a failed one too (its error is in it): only a refusal to answer throws. */
    async getQuery(queryId: string, signal?: AbortSignal): Promise<QueryView> {
      const path = `/catalog/queries/${encodeURIComponent(queryId)}`;
      const { query } = await call<{ query?: QueryView }>('GET', path, undefined, signal, [422, 500]);
      // A 500 without the query is the service failing to answer, not the query failing.
      if (query === undefined) throw new ApiError(500, 'INTERNAL', STATUS_MESSAGES[500] as string);
      return query;
    },
  };
}

export type Api = ReturnType<typeof createApi>;

async function errorFrom(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => undefined)) as
    | { error?: { code?: unknown; message?: unknown; details?: unknown }; message?: unknown }
    | undefined;
  const error = typeof body?.error === 'object' && body.error !== null ? body.error : undefined;
  const fallback =
    STATUS_MESSAGES[response.status] ??
    (response.status >= 500 ? (STATUS_MESSAGES[500] as string) : response.statusText);
  // An unexpected failure's own message ('Internal server error') tells the user nothing.
  const message =
    typeof error?.message === 'string' && error.message !== '' && error.code !== 'INTERNAL'
      ? error.message
      : typeof body?.message === 'string' && body.message !== ''
        ? body.message
        : fallback;
  const code = typeof error?.code === 'string' ? error.code : `HTTP_${response.status}`;
  const issues = Array.isArray(error?.details)
    ? (error.details as unknown[]).filter(
        (issue): issue is FieldIssue =>
          typeof (issue as FieldIssue)?.path === 'string' &&
          typeof (issue as FieldIssue).message === 'string',
      )
    : [];
  return new ApiError(response.status, code, message, issues);
}

/**
 * Sends the file to S3 with the presigned POST: every field the API signed, then the file, last
 * (S3 ignores fields after it). No Authorization header: the signed policy is the credential.
 * XMLHttpRequest rather than fetch, for the upload's progress.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTForms.html
 */
export function postToS3(
  upload: CreateUploadResponse['upload'],
  file: Blob,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append('file', file);
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', upload.url);
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    });
    request.addEventListener('load', () => {
      if (request.status >= 200 && request.status < 300) resolve();
      else reject(s3ErrorFrom(request.status, request.responseText));
    });
    request.addEventListener('error', () =>
      reject(
        new ApiError(
          0,
          'NETWORK',
          'The storage service cannot be reached. Check your connection and try again.',
        ),
      ),
    );
    request.addEventListener('abort', () =>
      reject(new DOMException('The upload was cancelled.', 'AbortError')),
    );
    signal?.addEventListener('abort', () => request.abort(), { once: true });
    request.send(form);
  });
}

/** S3 refuses with `<Error><Code>EntityTooLarge</Code><Message>...</Message></Error>`. */
export function s3ErrorFrom(status: number, body: string): ApiError {
  const xml = new DOMParser().parseFromString(body, 'application/xml');
  const text = (tag: string) => xml.querySelector(`Error > ${tag}`)?.textContent?.trim() || undefined;
  const code = text('Code') ?? `HTTP_${status}`;
  const reason = text('Message') ?? `status ${status}`;
  return new ApiError(status, code, `The storage service refused the file: ${reason}`);
}
