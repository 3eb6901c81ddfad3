import type { ImageView } from '../api';
import { type Child, h, setChildren, uniqueId } from '../dom';
import { alertBox, confirmAction, loading, spinner } from '../ui';
import { failureReason, fileNameOf, formatBytes, statusBadge } from './image-view';

/** One image, in a dialog: the preview, its labels, camera details, place, size; delete it from here. */

const moment = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const percent = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const degrees = new Intl.NumberFormat(undefined, { minimumFractionDigits: 5, maximumFractionDigits: 5 });
const seconds = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

export interface ImageDetail {
  readonly imageId: string;
  /** Shows the image as it is now; undefined when it no longer exists. */
  update(image: ImageView | undefined): void;
  close(): void;
}

export interface ImageDetailOptions {
  /** Deletes the image; a refusal is shown in the confirmation dialog. */
  remove(image: ImageView): Promise<void>;
  onClose(): void;
}

export function openImageDetail(initial: ImageView, options: ImageDetailOptions): ImageDetail {
  const titleId = uniqueId('image-title');
  const title = h('h2', { id: titleId, class: 'detail-title' });
  const body = h('div', { class: 'detail-body' });
  const close = h('button', { type: 'button', class: 'dismiss', 'aria-label': 'Close' }, '×');
  const dialog = h(
    'dialog',
    { class: 'dialog detail', 'aria-labelledby': titleId },
    h('div', { class: 'detail-head' }, title, close),
    body,
  );
  let current: ImageView | undefined;
  let signature = '';

  const render = (image: ImageView | undefined) => {
    const next = image === undefined ? 'gone' : `${image.status}:${image.updatedAt}:${image.urls?.preview}`;
    // Polling brings the same image again and again: redraw only what changed (and reload no picture).
    if (next === signature) return;
    signature = next;
    current = image;
    if (image === undefined) {
      body.replaceChildren(
        alertBox('info', 'This image no longer exists.'),
        h(
          'div',
          { class: 'dialog-actions' },
          h('button', { type: 'button', class: 'button', onclick: () => dialog.close() }, 'Close'),
        ),
      );
      return;
    }
    const name = fileNameOf(image);
    title.replaceChildren(name);
    const reason = failureReason(image);
    setChildren(
      body,
      preview(image),
      h('div', { class: 'detail-status' }, statusBadge(image.status), reason && h('span', {}, reason)),
      image.status === 'PROCESSING' &&
        h('p', { class: 'hint' }, 'Thumbnails, details and labels appear here as soon as they are ready.'),
      image.labels !== undefined && section('Labels', labelList(image.labels)),
      section('Details', details(image)),
      h(
        'div',
        { class: 'dialog-actions detail-actions' },
        image.urls?.original &&
          h(
            'a',
            { class: 'button', href: image.urls.original, target: '_blank', rel: 'noopener' },
            'Open original',
          ),
        h('button', { type: 'button', class: 'button danger-quiet', onclick: () => void remove() }, 'Delete'),
      ),
    );
  };

  const remove = async () => {
    const image = current;
    if (image === undefined) return;
    const name = fileNameOf(image);
    const deleted = await confirmAction({
      title: `Delete ${name}?`,
      message: h('p', {}, `${name} and its thumbnails are deleted. This cannot be undone.`),
      confirmLabel: 'Delete image',
      busyLabel: 'Deleting…',
      danger: true,
      action: () => options.remove(image),
    });
    if (deleted) dialog.close();
  };

  close.addEventListener('click', () => dialog.close());
  // A click on the backdrop (outside the dialog's box) closes it too.
  dialog.addEventListener('click', (event) => {
    if (event.target === dialog) dialog.close();
  });
  dialog.addEventListener('close', () => {
    dialog.remove();
    options.onClose();
  });
  render(initial);
  document.body.append(dialog);
  dialog.showModal();
  close.focus();
  return {
    imageId: initial.imageId,
    update: render,
    close: () => dialog.close(),
  };
}

function preview(image: ImageView): HTMLElement {
  const url = image.urls?.preview ?? image.urls?.square;
  if (url === undefined) {
    return h(
      'div',
      { class: 'detail-preview placeholder' },
      image.status === 'PROCESSING' ? loading('Processing…') : h('span', {}, 'No preview'),
    );
  }
  const labels = byConfidence(image.labels ?? [])
    .slice(0, 3)
    .map((label) => label.name.toLowerCase());
  const picture = h('img', {
    src: url,
    alt: labels.length > 0 ? `Photo: ${labels.join(', ')}` : fileNameOf(image),
    decoding: 'async',
  });
  const frame = h('div', { class: 'detail-preview' }, spinner(), picture);
  picture.addEventListener('load', () => frame.classList.add('loaded'));
  picture.addEventListener('error', () =>
    frame.replaceChildren(h('span', {}, 'The preview could not be loaded.')),
  );
  return frame;
}

function section(name: string, content: Child): HTMLElement {
  return h('section', { class: 'detail-section' }, h('h3', {}, name), content);
}

function labelList(labels: NonNullable<ImageView['labels']>): HTMLElement {
  if (labels.length === 0) return h('p', { class: 'hint' }, 'Nothing recognised in this image.');
  return h(
    'ul',
    { class: 'chips' },
    byConfidence(labels).map((label) =>
      h(
        'li',
        { class: 'chip label' },
        h('span', {}, label.name),
        h('span', { class: 'confidence' }, `${percent.format(label.confidence)}%`),
      ),
    ),
  );
}

function byConfidence(labels: NonNullable<ImageView['labels']>) {
  return [...labels].sort((a, b) => b.confidence - a.confidence);
}

function details(image: ImageView): HTMLElement {
  const { metadata } = image;
  const exif = metadata?.exif;
  const camera = cameraName(exif?.make, exif?.model);
  const rows: [string, Child][] = [];
  if (metadata !== undefined) {
    rows.push(
      ['Format', metadata.format.toUpperCase()],
      // As displayed: the pipeline applies the EXIF orientation first.
      ['Dimensions', `${metadata.width} × ${metadata.height} px`],
      ['Size', formatBytes(metadata.sizeBytes)],
    );
  }
  if (exif?.takenAt) rows.push(['Taken', takenAt(exif.takenAt)]);
  if (camera !== '') rows.push(['Camera', camera]);
  if (exif?.exposureTime !== undefined) rows.push(['Exposure', exposure(exif.exposureTime)]);
  if (exif?.iso !== undefined) rows.push(['ISO', String(exif.iso)]);
  if (metadata?.gps !== undefined) rows.push(['Location', place(metadata.gps)]);
  rows.push(['Uploaded', moment.format(new Date(image.createdAt))]);
  return h(
    'dl',
    { class: 'details' },
    rows.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]),
  );
}

/**
 * When the photo was taken, on the camera's clock: EXIF dates have no time zone unless the camera
 * wrote one, and a photo taken at noon in Paris reads noon wherever it is looked at.
 */
function takenAt(value: string): string {
  const wallClock = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?/.exec(value)?.[0];
  // Without an offset, Date reads the time as this browser's local time: the same wall clock.
  return moment.format(new Date(wallClock ?? value));
}

/** Make 'Canon' and model 'Canon EOS R6' (as Canon writes them) -> 'Canon EOS R6', not 'Canon Canon EOS R6'. */
function cameraName(make = '', model = ''): string {
  const brand = make.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  if (brand !== '' && model.toLowerCase().startsWith(brand)) return model.trim();
  return `${make} ${model}`.trim();
}

/** 0.008 -> 1/125 s, 2.5 -> 2.5 s: as cameras show it. */
function exposure(time: number): string {
  return time < 1 ? `1/${Math.round(1 / time)} s` : `${seconds.format(time)} s`;
}

function place({ latitude, longitude }: { latitude: number; longitude: number }): HTMLElement {
  const text = `${degrees.format(Math.abs(latitude))}° ${latitude < 0 ? 'S' : 'N'}, ${degrees.format(
    Math.abs(longitude),
  )}° ${longitude < 0 ? 'W' : 'E'}`;
  const map = `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=15/${latitude}/${longitude}`;
  return h('a', { href: map, target: '_blank', rel: 'noopener' }, text);
}
