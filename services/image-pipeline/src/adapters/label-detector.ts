import {
  DetectLabelsCommand,
  type RekognitionClient,
  rekognition,
} from '@serverless-patterns/shared/clients/rekognition';
import type { ImageLabel } from '@serverless-patterns/shared/schemas/api';
import type { LabelDetector } from '../core/workflow';

export const MAX_LABELS = 20;
/**
 * Rekognition's own default: labels it is at least 55 % sure of. A stricter floor hides labels that
 * are right but drawn from a less certain model (the local cloud's COCO detector gives about 60 % for
 * a clear photograph of a person); the portal shows each label's confidence, so people can judge.
 */
export const MIN_CONFIDENCE = 55;

/**
 * Rekognition DetectLabels on image bytes. Errors are not caught: their names (ThrottlingException,
 * InternalServerError, ProvisionedThroughputExceededException, ...) become the Lambda error type, which
 * the state machine's Retry matches. https://docs.aws.amazon.com/rekognition/latest/APIReference/API_DetectLabels.html
 */
export function createLabelDetector({
  client = rekognition,
}: {
  client?: RekognitionClient;
} = {}): LabelDetector {
  return {
    async detect(jpeg) {
      const { Labels = [] } = await client.send(
        new DetectLabelsCommand({
          Image: { Bytes: jpeg },
          MaxLabels: MAX_LABELS,
          MinConfidence: MIN_CONFIDENCE,
        }),
      );
      return Labels.flatMap((label): ImageLabel[] =>
        label.Name && typeof label.Confidence === 'number'
          ? [{ name: label.Name, confidence: Math.round(label.Confidence * 100) / 100 }]
          : [],
      ).sort((a, b) => b.confidence - a.confidence);
    },
  };
}
