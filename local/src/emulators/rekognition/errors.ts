import { AwsJsonError } from '../aws-json';

/**
 * The exceptions DetectLabels answers with, and the HTTP status AWS sends each with.
 * https://docs.aws.amazon.com/rekognition/latest/APIReference/API_DetectLabels.html#API_DetectLabels_Errors
 */
const STATUS_BY_TYPE = {
  AccessDeniedException: 400,
  ImageTooLargeException: 400,
  InternalServerError: 500,
  InvalidImageFormatException: 400,
  InvalidParameterException: 400,
  InvalidS3ObjectException: 400,
  ProvisionedThroughputExceededException: 400,
  // The DetectLabels reference gives 500; the developer guide lists a 400 variant ("Slow down") as well.
  ThrottlingException: 500,
  // Protocol errors every AWS JSON 1.1 service answers with.
  SerializationException: 400,
  UnknownOperationException: 400,
} as const;

export type RekognitionErrorType = keyof typeof STATUS_BY_TYPE;

export const REKOGNITION_ERROR_TYPES = Object.keys(STATUS_BY_TYPE) as [
  RekognitionErrorType,
  ...RekognitionErrorType[],
];

export const defaultStatusOf = (type: RekognitionErrorType): number => STATUS_BY_TYPE[type];

/** An error as Rekognition answers it: the SDK raises the exception named `type`. */
export class RekognitionServiceError extends AwsJsonError {
  override readonly name: string = 'RekognitionServiceError';
  declare readonly type: RekognitionErrorType;

  constructor(type: RekognitionErrorType, message: string, options?: ErrorOptions & { statusCode?: number }) {
    super(type, message, { ...options, statusCode: options?.statusCode ?? defaultStatusOf(type) });
  }

  /** Rekognition's errors carry the type again as Code, and Message capitalised. */
  override body(): Record<string, unknown> {
    return { __type: this.type, Code: this.type, Message: this.message };
  }
}

// AWS's own messages: https://docs.aws.amazon.com/rekognition/latest/dg/error-handling.html
export const invalidParameter = (message = 'Request has invalid parameters') =>
  new RekognitionServiceError('InvalidParameterException', message);

export const invalidImageFormat = (cause?: unknown) =>
  new RekognitionServiceError('InvalidImageFormatException', 'Request has invalid image format', { cause });

export const imageTooLarge = (message = 'Image size is too large') =>
  new RekognitionServiceError('ImageTooLargeException', message);

export const invalidS3Object = (cause?: unknown) =>
  new RekognitionServiceError(
    'InvalidS3ObjectException',
    'Unable to get object metadata from S3. Check object key, region and/or access permissions.',
    { cause },
  );
