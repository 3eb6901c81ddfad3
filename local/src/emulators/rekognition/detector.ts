import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DETECTOR_INPUT_SIZE, type DetectorImage } from './decode-image';
import type { Detection } from './detect-labels';

/** The part of @vladmandic/human's API used here (its own typings do not resolve through its exports map). */
interface HumanTensor {
  readonly shape: number[];
}

interface HumanObjectResult {
  score: number;
  label: string;
  /** [x, y, width, height] as ratios of the input. */
  boxRaw: [number, number, number, number];
}

interface HumanResult {
  error: string | null;
  object: HumanObjectResult[];
}

interface HumanInstance {
  load(): Promise<void>;
  detect(input: HumanTensor): Promise<HumanResult>;
  tf: {
    tensor3d(values: Uint8Array, shape: [number, number, number], dtype: 'int32'): HumanTensor;
    dispose(tensor: HumanTensor): void;
    getBackend(): string;
  };
}

interface HumanModule {
  Human: new (config: Record<string, unknown>) => HumanInstance;
}

export interface ObjectDetector {
  /** One image at a time: calls are queued, since the model's state is not reentrant. */
  detect(image: DetectorImage): Promise<Detection[]>;
}

/** Below this score a detection is noise; AWS's MinConfidence can go lower, the local detector does not. */
export const DETECTOR_MIN_SCORE = 0.05;

const require = createRequire(import.meta.url);

// The package's exports map lists its builds without "./", so `@vladmandic/human/dist/human.node-wasm.js`
// cannot be imported by name; the Node entry's folder holds it. The wasm build needs no native tfjs-node.
const humanDist = dirname(require.resolve('@vladmandic/human'));
const HUMAN_WASM_BUILD = join(humanDist, 'human.node-wasm.js');
const MODELS_DIR = join(humanDist, '..', 'models');
const WASM_DIR = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.bin': 'application/octet-stream',
};

/**
 * human loads models with the global fetch, which Node cannot point at file:// URLs. This serves the bundled
 * models from disk and refuses every other URL, so that nothing is ever downloaded. It replaces the fetch of
 * the Rekognition child process only; that process makes no other fetch (its S3 client uses node:http).
 */
export const installOfflineModelFetch = (): void => {
  globalThis.fetch = async (input: string | URL | Request) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const path = url.startsWith('file:') ? fileURLToPath(url) : undefined;
    if (path === undefined || !path.startsWith(`${MODELS_DIR}${sep}`))
      throw new Error(`the local Rekognition downloads nothing; refused to fetch ${url}`);
    const type = CONTENT_TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream';
    return new Response(await readFile(path), { headers: { 'content-type': type } });
  };
};

const toDetection = ({ label, score, boxRaw: [x, y, width, height] }: HumanObjectResult): Detection => ({
  cocoClass: label,
  score,
  box: { left: x, top: y, width, height },
});

/**
 * Loads CenterNet (COCO, 80 classes) on TensorFlow.js's wasm backend and runs it once on a blank image, so that
 * the first request does not pay for compiling the kernels. Call installOfflineModelFetch() first.
 */
export const loadObjectDetector = async (): Promise<ObjectDetector> => {
  const { Human }: HumanModule = require(HUMAN_WASM_BUILD);
  const human = new Human({
    backend: 'wasm',
    // Read from disk by the wasm loader; human's default is a CDN.
    wasmPath: `${WASM_DIR}${sep}`,
    wasmPlatformFetch: false,
    modelBasePath: `${pathToFileURL(MODELS_DIR).href}/`,
    debug: false,
    async: false,
    warmup: 'none',
    cacheModels: false,
    // 0 turns off human's frame cache, which would answer a similar image with the previous image's objects.
    cacheSensitivity: 0,
    filter: { enabled: false },
    gesture: { enabled: false },
    face: { enabled: false },
    body: { enabled: false },
    hand: { enabled: false },
    segmentation: { enabled: false },
    object: {
      enabled: true,
      modelPath: 'centernet.json',
      minConfidence: DETECTOR_MIN_SCORE,
      maxDetected: 100,
      iouThreshold: 0.4,
      skipFrames: 0,
      skipTime: 0,
    },
  });
  await human.load();
  if (human.tf.getBackend() !== 'wasm')
    throw new Error(`expected the wasm backend, got ${human.tf.getBackend()}`);

  let queue: Promise<unknown> = Promise.resolve();
  const detectNow = async ({ pixels }: DetectorImage) => {
    const tensor = human.tf.tensor3d(pixels, [DETECTOR_INPUT_SIZE, DETECTOR_INPUT_SIZE, 3], 'int32');
    try {
      const result = await human.detect(tensor);
      if (result.error) throw new Error(`detector failed: ${result.error}`);
      return result.object.map(toDetection);
    } finally {
      human.tf.dispose(tensor);
    }
  };
  const detector: ObjectDetector = {
    detect: (image) => {
      const detections = queue.then(() => detectNow(image));
      queue = detections.catch(() => {});
      return detections;
    },
  };
  const blank = new Uint8Array(DETECTOR_INPUT_SIZE * DETECTOR_INPUT_SIZE * 3);
  await detector.detect({ pixels: blank, width: DETECTOR_INPUT_SIZE, height: DETECTOR_INPUT_SIZE });
  return detector;
};
