import type { Label } from '@aws-sdk/client-rekognition';
import * as z from 'zod';
import { labelForCocoClass } from './coco-labels';
import { imageTooLarge, invalidImageFormat, invalidParameter } from './errors';

// Limits and defaults of DetectLabels:
// https://docs.aws.amazon.com/rekognition/latest/APIReference/API_DetectLabels.html
// https://docs.aws.amazon.com/rekognition/latest/dg/limits.html
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
export const MAX_S3_IMAGE_BYTES = 15 * 1024 * 1024;
export const MIN_IMAGE_DIMENSION = 80;
export const MAX_IMAGE_DIMENSION = 10_000;
export const DEFAULT_MIN_CONFIDENCE = 55;

/** What a local answer says its labels come from; AWS answers "3.0" and up. */
export const LABEL_MODEL_VERSION = 'local-centernet-coco';

const filterList = z.array(z.string().min(1)).max(100).optional();

const requestSchema = z.object({
  Image: z.object({
    Bytes: z.string().optional(),
    S3Object: z
      .object({
        Bucket: z.string().min(3).max(255),
        Name: z.string().min(1).max(1024),
        Version: z.string().min(1).max(1024).optional(),
      })
      .optional(),
  }),
  MaxLabels: z.number().int().min(0).optional(),
  MinConfidence: z.number().min(0).max(100).optional(),
  Features: z
    .array(z.enum(['GENERAL_LABELS', 'IMAGE_PROPERTIES']))
    .max(2)
    .optional(),
  Settings: z
    .object({
      GeneralLabels: z
        .object({
          LabelInclusionFilters: filterList,
          LabelExclusionFilters: filterList,
          LabelCategoryInclusionFilters: filterList,
          LabelCategoryExclusionFilters: filterList,
        })
        .optional(),
    })
    .optional(),
});

export type ImageSource =
  | { kind: 'bytes'; bytes: Buffer }
  | { kind: 's3'; bucket: string; key: string; version?: string };

export interface LabelFilters {
  includeNames?: string[];
  excludeNames?: string[];
  includeCategories?: string[];
  excludeCategories?: string[];
}

export interface LabelSelection {
  minConfidence: number;
  maxLabels?: number;
  filters: LabelFilters;
}

export interface DetectLabelsInput extends LabelSelection {
  image: ImageSource;
  /** False when Features names IMAGE_PROPERTIES only. */
  wantsLabels: boolean;
}

/** One object the detector found: a COCO class, a score in 0..1 and a box in ratios of the image. */
export interface Detection {
  cocoClass: string;
  score: number;
  box: { left: number; top: number; width: number; height: number };
}

const imageSourceOf = (image: z.infer<typeof requestSchema>['Image']): ImageSource => {
  // AWS's words for both or neither.
  if ((image.Bytes === undefined) === (image.S3Object === undefined))
    throw invalidParameter('Requested image should either contain bytes or s3 object.');
  if (image.S3Object !== undefined) {
    const { Bucket, Name, Version } = image.S3Object;
    return { kind: 's3', bucket: Bucket, key: Name, version: Version };
  }
  const bytes = Buffer.from(image.Bytes ?? '', 'base64');
  if (bytes.length > MAX_IMAGE_BYTES) throw imageTooLarge();
  if (bytes.length === 0) throw invalidImageFormat();
  return { kind: 'bytes', bytes };
};

/** Validates a DetectLabels request body as AWS does, throwing the exception AWS would answer with. */
export const parseDetectLabelsRequest = (body: unknown): DetectLabelsInput => {
  const parsed = requestSchema.safeParse(body);
  if (!parsed.success) throw invalidParameter();
  const { Image, MaxLabels, MinConfidence, Features, Settings } = parsed.data;
  const general = Settings?.GeneralLabels;
  return {
    image: imageSourceOf(Image),
    minConfidence: MinConfidence ?? DEFAULT_MIN_CONFIDENCE,
    maxLabels: MaxLabels,
    wantsLabels: Features === undefined || Features.length === 0 || Features.includes('GENERAL_LABELS'),
    filters: {
      includeNames: general?.LabelInclusionFilters,
      excludeNames: general?.LabelExclusionFilters,
      includeCategories: general?.LabelCategoryInclusionFilters,
      excludeCategories: general?.LabelCategoryExclusionFilters,
    },
  };
};

const clampRatio = (value: number) => Math.min(1, Math.max(0, value));
const asPercent = (score: number) => Math.round(score * 100_000) / 1_000;

const passesFilters = (name: string, category: string, filters: LabelFilters) =>
  (filters.includeNames === undefined || filters.includeNames.includes(name)) &&
  !filters.excludeNames?.includes(name) &&
  (filters.includeCategories === undefined || filters.includeCategories.includes(category)) &&
  !filters.excludeCategories?.includes(category);

/**
 * Detections -> Rekognition labels: one label per class with every instance above MinConfidence, the label's
 * confidence that of its best instance, highest first, at most MaxLabels.
 */
export const labelsFromDetections = (detections: Detection[], selection: LabelSelection): Label[] => {
  const labels = new Map<string, Label & { Confidence: number }>();
  for (const { cocoClass, score, box } of detections) {
    const Confidence = asPercent(score);
    if (Confidence < selection.minConfidence) continue;
    const { name, category, aliases } = labelForCocoClass(cocoClass);
    if (!passesFilters(name, category, selection.filters)) continue;
    const label = labels.get(name) ?? {
      Name: name,
      Confidence,
      Instances: [],
      Parents: [],
      Aliases: aliases.map((alias) => ({ Name: alias })),
      Categories: [{ Name: category }],
    };
    const left = clampRatio(box.left);
    const top = clampRatio(box.top);
    label.Instances?.push({
      BoundingBox: {
        Left: left,
        Top: top,
        Width: clampRatio(box.left + box.width) - left,
        Height: clampRatio(box.top + box.height) - top,
      },
      Confidence,
    });
    label.Confidence = Math.max(label.Confidence, Confidence);
    labels.set(name, label);
  }
  const byConfidence = [...labels.values()].sort(
    (a, b) => b.Confidence - a.Confidence || a.Name?.localeCompare(b.Name ?? '') || 0,
  );
  for (const label of byConfidence)
    label.Instances?.sort((a, b) => (b.Confidence ?? 0) - (a.Confidence ?? 0));
  return byConfidence.slice(0, selection.maxLabels);
};
