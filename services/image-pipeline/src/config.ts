import { defineConfig, readBoolean, readInteger, readString } from '@serverless-patterns/shared/config';

/**
 * Every setting of the service, each read when the composition first uses it (at cold start), so that
 * serverless.yml gives each function only the variables of what it uses: the state machine's steps
 * could not be given STATE_MACHINE_ARN (the machine refers to them: a cycle), and need not be.
 */
export const config = defineConfig({
  imagesTableName: () => readString('IMAGES_TABLE_NAME'),
  imagesBucketName: () => readString('IMAGES_BUCKET_NAME'),
  stateMachineArn: () => readString('STATE_MACHINE_ARN'),
  uploadQuotasTableName: () => readString('UPLOAD_QUOTAS_TABLE_NAME'),
  /** Presigned POSTs a person may be issued per day (UTC); 0 closes uploads. Stage parameter dailyUploadLimit. */
  dailyUploadLimit: () => readInteger('DAILY_UPLOAD_LIMIT', { min: 0 }),
  /**
   * Label detection is on unless the stage says otherwise: Rekognition is billed per image, and a
   * stage that only needs thumbnails and EXIF can switch it off (images still become READY, unlabelled).
   */
  labelDetection: () => readBoolean('LABEL_DETECTION', { default: true }),
});
