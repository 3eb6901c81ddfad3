import { readBoolean, readString } from '@serverless-patterns/shared/config';

// Each handler reads, at cold start, the variables of what it uses, so a missing one fails the first
// invocation with its name (serverless.yml gives each function only the variables it needs).

export const tableConfig = () => ({ imagesTableName: readString('IMAGES_TABLE_NAME') }) as const;

export const triggerConfig = () =>
  ({ ...tableConfig(), stateMachineArn: readString('STATE_MACHINE_ARN') }) as const;

export const routesConfig = () =>
  ({ ...tableConfig(), imagesBucketName: readString('IMAGES_BUCKET_NAME') }) as const;

/**
 * Label detection is on unless the stage says otherwise: Rekognition is billed per image, and a
 * stage that only needs thumbnails and EXIF can switch it off (images still become READY, unlabelled).
 */
export const labelsConfig = () =>
  ({ labelDetection: readBoolean('LABEL_DETECTION', { default: true }) }) as const;
