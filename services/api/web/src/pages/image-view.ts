import type { ImageStatus, ImageView } from '../api';
import { h } from '../dom';
import { spinner } from '../ui';

/** What the gallery and the detail view both show of an image: its name, status, reason, sizes. */

const STATUS_LABELS: Record<ImageStatus, string> = {
  PROCESSING: 'Processing',
  READY: 'Ready',
  UNSUPPORTED: 'Unsupported',
  FAILED: 'Failed',
};

export function statusBadge(status: ImageStatus): HTMLElement {
  return h(
    'span',
    { class: `badge status status-${status.toLowerCase()}` },
    status === 'PROCESSING' && spinner(),
    STATUS_LABELS[status],
  );
}

/** The file's name: the last segment of uploads/<ownerId>/<uploadId>/<file>. */
export function fileNameOf(image: Pick<ImageView, 'key'>): string {
  return image.key.split('/').pop() || image.key;
}

/**
 * Why an image has no thumbnails, in words: the pipeline's message for its failure code (a fixed text
 * per code, never an error of its internals: shared/src/schemas/api/images.ts).
 */
export function failureReason(image: Pick<ImageView, 'status' | 'failure'>): string | undefined {
  if (image.status !== 'UNSUPPORTED' && image.status !== 'FAILED') return undefined;
  if (image.failure?.message) return image.failure.message;
  return image.status === 'UNSUPPORTED'
    ? 'This file format is not supported.'
    : 'The image could not be processed.';
}

const kilobytes = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const megabytes = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

/** 1,000-based, as file managers show sizes: 2.4 MB, 830 KB, 512 bytes. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} bytes`;
  if (bytes < 1_000_000) return `${kilobytes.format(bytes / 1000)} KB`;
  return `${megabytes.format(bytes / 1_000_000)} MB`;
}
