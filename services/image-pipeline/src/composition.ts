import { randomUUID } from 'node:crypto';
import { createImagesBucket } from './adapters/images-bucket';
import { createImagesTable } from './adapters/images-table';
import { createLabelDetector } from './adapters/label-detector';
import { createProcessingWorkflow } from './adapters/processing-workflow';
import { createUploadQuotasTable } from './adapters/upload-quotas-table';
import { config } from './config';
import { createGallery, createUploadPresigner } from './core/gallery';
import { createUploadQuota } from './core/upload-quota';
import { createProcessingStarter } from './core/uploads';
import {
  createFailureRecorder,
  createLabeller,
  createMetadataExtractor,
  createResultsRecorder,
  createThumbnailer,
  createUnsupportedRecorder,
} from './core/workflow';

// The service's parts, built from its config, one function per use case. Each handler calls its own
// once, at module scope: clients and adapters are made at cold start and reused by every invocation,
// a function reads only the settings of what it uses, and its bundle keeps only what its handler calls.

const imagesTable = () => createImagesTable({ tableName: config.imagesTableName });

/**
 * sharp and exifr, for the three steps that decode images, imported when first used and never from
 * this module's top: every other function's bundle must start without sharp, which only the decoding
 * functions' layer provides (test/unit/sharp-layer.test.ts).
 */
const decoding = () => import('./core/image-processing');

export function uploadPresigner() {
  return createUploadPresigner({
    objects: createImagesBucket(),
    quota: createUploadQuota({
      counter: createUploadQuotasTable({ tableName: config.uploadQuotasTableName }),
      dailyLimit: config.dailyUploadLimit,
    }),
    bucket: config.imagesBucketName,
    clock: () => new Date(),
    newUploadId: () => randomUUID(),
  });
}

export function gallery() {
  return createGallery({ images: imagesTable(), objects: createImagesBucket() });
}

export function processingStarter() {
  return createProcessingStarter({
    images: imagesTable(),
    objects: createImagesBucket(),
    workflow: createProcessingWorkflow({ stateMachineArn: config.stateMachineArn }),
    clock: () => new Date(),
  });
}

export function metadataExtractor() {
  return createMetadataExtractor({ objects: createImagesBucket(), decoding });
}

export function labeller() {
  return createLabeller({
    objects: createImagesBucket(),
    detector: config.labelDetection ? createLabelDetector() : undefined,
    decoding,
  });
}

export function thumbnailer() {
  return createThumbnailer({ objects: createImagesBucket(), decoding });
}

export function resultsRecorder() {
  return createResultsRecorder({
    images: imagesTable(),
    objects: createImagesBucket(),
    clock: () => new Date(),
  });
}

export function unsupportedRecorder() {
  return createUnsupportedRecorder({ images: imagesTable(), clock: () => new Date() });
}

export function failureRecorder() {
  return createFailureRecorder({
    images: imagesTable(),
    objects: createImagesBucket(),
    clock: () => new Date(),
  });
}
