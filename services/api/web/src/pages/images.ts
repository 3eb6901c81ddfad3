import {
  ApiError,
  type CreateUploadRequest,
  type ImageView,
  type ListImagesResponse,
  postToS3,
} from '../api';
import { type Child, h, setChildren } from '../dom';
import type { Page } from '../page';
import {
  alertBox,
  busy,
  describeError,
  dismissible,
  loading,
  pageLayout,
  sentence,
  spinner,
  toast,
} from '../ui';
import { type ImageDetail, openImageDetail } from './image-detail';
import { failureReason, fileNameOf, formatBytes, statusBadge } from './image-view';

/**
 * My images: upload photos (picker or drag and drop) straight to S3 with the presigned POST the image
 * pipeline's API hands out, see them in a gallery whose statuses update while the pipeline works,
 * open one for its preview, labels and camera details, delete it.
 */

const POLL_MS = 2_000;
// After failed refreshes the wait doubles, up to this.
const MAX_POLL_MS = 30_000;
// S3 notifies the pipeline, which then records the image: until then it is not listed.
const LISTING_PATIENCE_MS = 90_000;
// An image processing for longer than this (since this page first saw it) is stuck: stop waiting for it.
const PROCESSING_PATIENCE_MS = 5 * 60_000;

const day = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

// The content types the API accepts (UPLOAD_CONTENT_TYPES in shared/src/schemas/api/images.ts), written
// out rather than imported: importing a value would bundle zod. The checks below keep both in step.
const UPLOAD_TYPES = {
  'image/jpeg': 'JPEG',
  'image/png': 'PNG',
  'image/webp': 'WebP',
  'image/gif': 'GIF',
  'image/avif': 'AVIF',
  'image/tiff': 'TIFF',
} as const satisfies Record<CreateUploadRequest['contentType'], string>;
const UPLOAD_FORMATS = Object.values(UPLOAD_TYPES);
const FORMAT_LIST = `${UPLOAD_FORMATS.slice(0, -1).join(', ')} or ${UPLOAD_FORMATS.at(-1)}`;
const isUploadType = (type: string): type is CreateUploadRequest['contentType'] =>
  Object.hasOwn(UPLOAD_TYPES, type);

/** A file on its way: first asked for, then sent to S3, then waiting for the pipeline to list it. */
interface Upload {
  file: File;
  name: string;
  previewUrl: string;
  element: HTMLElement;
  status: HTMLElement;
  /** Set once the API has answered: the image record will carry the same key. */
  key?: string;
  /** Images listed before the file was sent: none of them is this upload, even with the same key. */
  knownIds?: Set<string>;
  /** When S3 accepted the file. */
  sentAt?: number;
}

interface Tile {
  element: HTMLElement;
  button: HTMLButtonElement;
  signature: string;
}

/** A file the portal refuses before sending it anywhere. */
class UploadRefusedError extends Error {
  override readonly name = 'UploadRefusedError';
}

export const imagesPage: Page = (context) => {
  const { api, signal } = context;
  let images: ImageView[] = [];
  let nextToken: string | undefined;
  let listed = false;
  let olderLoaded = false;
  // The API says how large a file may be when it answers the first upload.
  let maxBytes: number | undefined;
  let detail: ImageDetail | undefined;
  const uploads: Upload[] = [];
  const tiles = new Map<string, Tile>();
  const firstSeenProcessing = new Map<string, number>();
  // The picture as this browser sent it, shown until the pipeline's thumbnail exists.
  const localPreviews = new Map<string, string>();

  const input = h('input', { type: 'file', accept: 'image/*', multiple: true, hidden: true });
  const choose = () => input.click();
  const uploadButton = h(
    'button',
    { type: 'button', class: 'button primary', onclick: choose },
    'Upload photos',
  );
  const limit = h('span', {});
  const hint = h(
    'p',
    { class: 'hint' },
    h('span', { class: 'drag-hint' }, 'Drop photos anywhere on this page to upload them. '),
    limit,
  );
  const notices = h('div', { class: 'notices' });
  const refreshWarning = h('p', { class: 'refresh-warning', role: 'status', hidden: true });
  const gallery = h('section', { class: 'gallery', 'aria-label': 'Your images', 'aria-busy': 'true' });
  const count = h('p', { class: 'count' });
  const grid = h('ul', { class: 'image-grid' });
  const more = h(
    'button',
    { type: 'button', class: 'button', onclick: () => void loadOlder() },
    'Show older',
  );
  const empty = h(
    'div',
    { class: 'empty' },
    h('h2', {}, 'No images yet'),
    h(
      'p',
      {},
      'Upload a photo to see it here. Each one gets thumbnails, its camera details and labels for what is in it.',
    ),
    h('button', { type: 'button', class: 'button primary', onclick: choose }, 'Choose photos'),
  );

  input.addEventListener('change', () => {
    addFiles([...(input.files ?? [])]);
    // The same file chosen again is a new upload.
    input.value = '';
  });

  // --- Showing what is known --------------------------------------------------------------------

  const notify = (kind: 'error' | 'info', message: string) => {
    // The page may be gone by the time an upload ends: say it anyway.
    if (signal.aborted) toast(message);
    else notices.prepend(dismissible(alertBox(kind, message)));
  };

  const render = () => {
    if (!listed && uploads.length === 0) return;
    gallery.setAttribute('aria-busy', 'false');
    const items = [...uploads.map((upload) => upload.element), ...images.map(tileOf)];
    for (const id of tiles.keys()) {
      if (!images.some((image) => image.imageId === id)) tiles.delete(id);
    }
    if (items.length === 0) {
      if (!gallery.contains(empty)) gallery.replaceChildren(empty);
      return;
    }
    if (!gallery.contains(grid)) gallery.replaceChildren(count, grid, more);
    // Moves only what moved: a tile that keeps its place keeps its picture and the keyboard focus.
    items.forEach((item, index) => {
      if (grid.children[index] !== item) grid.insertBefore(item, grid.children[index] ?? null);
    });
    while (grid.children.length > items.length) grid.lastElementChild?.remove();
    const processing = images.filter((image) => image.status === 'PROCESSING').length;
    count.textContent = [
      images.length === 1 ? '1 image' : `${images.length} images`,
      processing > 0 && `${processing} processing`,
      uploads.length > 0 && `${uploads.length} uploading`,
    ]
      .filter(Boolean)
      .join(' · ');
    more.hidden = nextToken === undefined;
  };

  const tileOf = (image: ImageView): HTMLElement => {
    const signature = `${image.status}:${image.updatedAt}:${image.urls?.square !== undefined}`;
    let tile = tiles.get(image.imageId);
    if (tile === undefined) {
      const button = h('button', {
        type: 'button',
        class: 'tile-body',
        'aria-haspopup': 'dialog',
        onclick: () => openDetail(image.imageId),
      });
      tile = { element: h('li', { class: 'tile' }, button), button, signature: '' };
      tiles.set(image.imageId, tile);
    }
    // Presigned links change at every listing: redraw only when the image did.
    if (tile.signature !== signature) {
      tile.signature = signature;
      tile.button.title = fileNameOf(image);
      setChildren(tile.button, ...tileContent(image));
    }
    return tile.element;
  };

  const tileContent = (image: ImageView): Child[] => {
    const reason = failureReason(image);
    const square = image.urls?.square;
    const local = localPreviews.get(image.imageId);
    const thumb = h('span', { class: 'thumb' });
    const placeholder = (text: string) =>
      thumb.replaceChildren(h('span', { class: `thumb-placeholder ${image.status.toLowerCase()}` }, text));
    if (square === undefined) {
      if (image.status === 'PROCESSING' && local !== undefined) {
        thumb.append(h('img', { src: local, alt: '', class: 'local-preview' }));
      } else if (image.status === 'PROCESSING') {
        thumb.replaceChildren(h('span', { class: 'thumb-placeholder processing' }, spinner(), 'Processing…'));
      } else placeholder(image.status === 'READY' ? 'No thumbnail' : 'No preview');
    } else {
      const picture = h('img', { src: square, alt: '', loading: 'lazy', decoding: 'async' });
      let retried = false;
      // A presigned link expires: a thumbnail scrolled into view much later asks for a fresh one, once.
      picture.addEventListener('error', () => {
        if (retried) return placeholder('Thumbnail unavailable');
        retried = true;
        api.getImage(image.imageId, signal).then(
          (fresh) => {
            if (fresh.urls?.square) picture.src = fresh.urls.square;
            else placeholder('Thumbnail unavailable');
          },
          () => placeholder('Thumbnail unavailable'),
        );
      });
      thumb.append(picture);
    }
    return [
      thumb,
      h('span', { class: 'tile-name' }, fileNameOf(image)),
      h(
        'span',
        { class: 'tile-meta' },
        statusBadge(image.status),
        reason === undefined && h('span', {}, day.format(new Date(image.createdAt))),
      ),
      reason !== undefined && h('span', { class: 'tile-reason' }, reason),
    ];
  };

  // --- Listing and live status ------------------------------------------------------------------

  /** Takes in the newest page, whether from the first load or a refresh. */
  const receive = (page: ListImagesResponse) => {
    const before = new Map(images.map((image) => [image.imageId, image.status]));
    if (olderLoaded) {
      // Keep the older pages already shown, below the refreshed first one.
      const ids = new Set(page.images.map((image) => image.imageId));
      const oldest = page.images.at(-1)?.createdAt;
      const older = images.filter(
        (image) => !ids.has(image.imageId) && (oldest === undefined || image.createdAt < oldest),
      );
      images = [...page.images, ...older];
    } else {
      images = page.images;
      nextToken = page.nextToken;
    }
    listed = true;
    const now = Date.now();
    for (const image of images) {
      if (image.status === 'PROCESSING' && !firstSeenProcessing.has(image.imageId)) {
        firstSeenProcessing.set(image.imageId, now);
      }
      if (before.get(image.imageId) === 'PROCESSING' && image.status !== 'PROCESSING') {
        toast(
          image.status === 'READY'
            ? `${fileNameOf(image)} is ready`
            : `${fileNameOf(image)} could not be processed`,
        );
      }
    }
    for (const upload of [...uploads]) {
      const arrived = images.find(
        (image) => image.key === upload.key && !upload.knownIds?.has(image.imageId),
      );
      if (arrived !== undefined) {
        localPreviews.set(arrived.imageId, upload.previewUrl);
        dropUpload(upload, { keepPreview: true });
      } else if (upload.sentAt !== undefined && now - upload.sentAt > LISTING_PATIENCE_MS) {
        dropUpload(upload);
        notify(
          'info',
          `${upload.name} is uploaded but not listed yet. Reload this page in a while to see it.`,
        );
      }
    }
    render();
    if (detail !== undefined) detail.update(images.find((image) => image.imageId === detail?.imageId));
  };

  const load = () => {
    gallery.setAttribute('aria-busy', 'true');
    gallery.replaceChildren(loading('Loading your images…'));
    api.listImages(undefined, signal).then(
      (page) => {
        receive(page);
        poll.schedule();
      },
      (error: unknown) => {
        if (signal.aborted) return;
        gallery.setAttribute('aria-busy', 'false');
        gallery.replaceChildren(
          alertBox(
            'error',
            `Your images could not be loaded. ${describeError(error).message}`,
            h('button', { type: 'button', class: 'button', onclick: load }, 'Try again'),
          ),
        );
      },
    );
  };

  const loadOlder = async () => {
    if (nextToken === undefined) return;
    const restore = busy(more, 'Loading…');
    try {
      const page = await api.listImages(nextToken, signal);
      const ids = new Set(images.map((image) => image.imageId));
      images = [...images, ...page.images.filter((image) => !ids.has(image.imageId))];
      nextToken = page.nextToken;
      olderLoaded = true;
    } catch (error) {
      if (signal.aborted) return;
      notify('error', `Older images could not be loaded. ${describeError(error).message}`);
    } finally {
      restore();
    }
    render();
  };

  /** Lists again every 2 s while something is on its way; stops when nothing is, or the page is left. */
  const poll = (() => {
    let timer: number | undefined;
    let running = false;
    let failures = 0;

    const pending = () => {
      const now = Date.now();
      return (
        uploads.some((upload) => upload.sentAt !== undefined) ||
        images.some(
          (image) =>
            image.status === 'PROCESSING' &&
            now - (firstSeenProcessing.get(image.imageId) ?? now) < PROCESSING_PATIENCE_MS,
        )
      );
    };

    const refresh = async () => {
      timer = undefined;
      running = true;
      try {
        receive(await api.listImages(undefined, signal));
        failures = 0;
        refreshWarning.hidden = true;
      } catch (error) {
        if (signal.aborted) return;
        failures += 1;
        refreshWarning.textContent = `The gallery could not be refreshed: ${describeError(error).message} Trying again…`;
        refreshWarning.hidden = false;
      } finally {
        running = false;
        schedule();
      }
    };

    const schedule = () => {
      if (signal.aborted || running || timer !== undefined || !pending()) return;
      timer = window.setTimeout(() => void refresh(), Math.min(POLL_MS * 2 ** failures, MAX_POLL_MS));
    };

    signal.addEventListener('abort', () => window.clearTimeout(timer));
    return { schedule };
  })();

  // --- Uploading --------------------------------------------------------------------------------

  let queue = Promise.resolve();
  let queued = 0;
  // The day's upload quota is used up (a 429 from the API): the files still queued with it are not
  // asked for one by one. The next files chosen ask again.
  let quotaRefusal: string | undefined;

  const addFiles = (files: File[]) => {
    for (const file of files) {
      const refusal = refusalOf(file);
      if (refusal !== undefined) {
        notify('error', refusal);
        continue;
      }
      const upload = createUpload(file);
      uploads.unshift(upload);
      queued += 1;
      // One at a time, in the order chosen.
      queue = queue
        .then(() => send(upload))
        .finally(() => {
          queued -= 1;
          if (queued === 0) quotaRefusal = undefined;
        });
    }
    render();
  };

  /** What can be known before asking: the API and S3 check again. */
  const refusalOf = (file: File): string | undefined => {
    if (!file.type.startsWith('image/'))
      return `${file.name} is not an image. Choose a photo: ${FORMAT_LIST}.`;
    if (!isUploadType(file.type))
      return `${file.name} is in a format that cannot be uploaded. Choose a photo: ${FORMAT_LIST}.`;
    if (file.size === 0) return `${file.name} is empty.`;
    if (maxBytes !== undefined && file.size > maxBytes)
      return `${file.name} is ${formatBytes(file.size)}: an image can be at most ${formatBytes(maxBytes)}.`;
    return undefined;
  };

  const send = async (upload: Upload) => {
    const { file } = upload;
    setUploadStatus(upload, 'Preparing…');
    guardUnload(+1);
    try {
      if (quotaRefusal !== undefined) throw new UploadRefusedError(quotaRefusal);
      const ticket = await api.requestUpload({
        fileName: file.name,
        contentType: file.type as CreateUploadRequest['contentType'],
        sizeBytes: file.size,
      });
      maxBytes = ticket.maxBytes;
      const { remaining } = ticket.quota;
      limit.textContent = `Up to ${formatBytes(maxBytes)} each; ${remaining} more ${remaining === 1 ? 'upload' : 'uploads'} today.`;
      const refusal = refusalOf(file);
      if (refusal !== undefined) throw new UploadRefusedError(refusal);
      upload.key = ticket.key;
      upload.knownIds = new Set(images.map((image) => image.imageId));
      const progress = h('progress', { max: 1, value: 0, 'aria-label': `Uploading ${upload.name}` });
      const percent = h('span', {}, 'Uploading…');
      setUploadStatus(upload, progress, percent);
      await postToS3(ticket.upload, file, (fraction) => {
        progress.value = fraction;
        percent.textContent = `${Math.round(fraction * 100)}%`;
      });
      upload.sentAt = Date.now();
      setUploadStatus(upload, statusBadge('PROCESSING'));
      render();
      poll.schedule();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'TOO_MANY_REQUESTS') quotaRefusal = error.message;
      dropUpload(upload);
      render();
      notify('error', `${upload.name} was not uploaded. ${uploadErrorMessage(error)}`);
    } finally {
      guardUnload(-1);
    }
  };

  const createUpload = (file: File): Upload => {
    const previewUrl = URL.createObjectURL(file);
    const picture = h('img', { src: previewUrl, alt: '', decoding: 'async' });
    // A format this browser cannot show (HEIC in most): the tile keeps its plain background.
    picture.addEventListener('error', () => picture.remove());
    const status = h('span', { class: 'tile-meta' }, 'Waiting…');
    const element = h(
      'li',
      { class: 'tile uploading' },
      h(
        'div',
        { class: 'tile-body', title: file.name },
        h('span', { class: 'thumb' }, picture),
        h('span', { class: 'tile-name' }, file.name),
        status,
      ),
    );
    return { file, name: file.name, previewUrl, element, status };
  };

  const setUploadStatus = (upload: Upload, ...content: Child[]) => setChildren(upload.status, ...content);

  const dropUpload = (upload: Upload, { keepPreview = false } = {}) => {
    const at = uploads.indexOf(upload);
    if (at !== -1) uploads.splice(at, 1);
    if (!keepPreview) URL.revokeObjectURL(upload.previewUrl);
  };

  // --- Detail -----------------------------------------------------------------------------------

  const openDetail = (imageId: string) => {
    const image = images.find((candidate) => candidate.imageId === imageId);
    if (image === undefined || detail !== undefined) return;
    const opened = openImageDetail(image, {
      remove: async (target) => {
        await api.deleteImage(target.imageId);
        images = images.filter((candidate) => candidate.imageId !== target.imageId);
        render();
        toast(`${fileNameOf(target)} deleted`);
      },
      onClose: () => {
        detail = undefined;
        const tile = tiles.get(imageId);
        (tile?.element.isConnected ? tile.button : uploadButton).focus();
      },
    });
    detail = opened;
    // The listing's presigned links may be old: the image's own answer has fresh ones.
    api.getImage(imageId, signal).then(
      (fresh) => {
        images = images.map((candidate) => (candidate.imageId === imageId ? fresh : candidate));
        if (detail === opened) opened.update(fresh);
      },
      (error: unknown) => {
        if (!(error instanceof ApiError && error.status === 404)) return;
        images = images.filter((candidate) => candidate.imageId !== imageId);
        render();
        if (detail === opened) opened.update(undefined);
      },
    );
  };

  // --- Drag and drop ----------------------------------------------------------------------------

  const page = pageLayout(
    context.flash,
    'Images',
    uploadButton,
    hint,
    input,
    notices,
    refreshWarning,
    gallery,
  );
  const carriesFiles = (event: DragEvent) => event.dataTransfer?.types.includes('Files') === true;
  let dragDepth = 0;
  page.addEventListener('dragenter', (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    dragDepth += 1;
    page.classList.add('dropping');
  });
  page.addEventListener('dragover', (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
  });
  page.addEventListener('dragleave', (event) => {
    if (!carriesFiles(event)) return;
    dragDepth = Math.max(0, dragDepth - 1);
    if (dragDepth === 0) page.classList.remove('dropping');
  });
  page.addEventListener('drop', (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    dragDepth = 0;
    page.classList.remove('dropping');
    addFiles([...(event.dataTransfer?.files ?? [])]);
  });

  signal.addEventListener('abort', () => {
    detail?.close();
    // Files still being sent finish in the background (the request holds the file, not the link).
    for (const upload of uploads) URL.revokeObjectURL(upload.previewUrl);
    for (const url of localPreviews.values()) URL.revokeObjectURL(url);
  });

  load();
  return page;
};

function uploadErrorMessage(error: unknown): string {
  if (error instanceof UploadRefusedError) return error.message;
  if (error instanceof ApiError && error.fieldIssues.length > 0) {
    return [
      sentence(error.message),
      ...error.fieldIssues.map((issue) => sentence(`${issue.path}: ${issue.message}`)),
    ].join(' ');
  }
  return describeError(error).message;
}

// Closing the tab while a file is being sent loses it: the browser asks first.
let sending = 0;
const holdUnload = (event: BeforeUnloadEvent) => event.preventDefault();

function guardUnload(change: 1 | -1): void {
  sending += change;
  if (sending === 1 && change === 1) window.addEventListener('beforeunload', holdUnload);
  if (sending === 0) window.removeEventListener('beforeunload', holdUnload);
}
