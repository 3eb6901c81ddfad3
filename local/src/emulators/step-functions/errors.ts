import { AwsJsonError } from '../aws-json';

/**
 * An error of the Step Functions API, answered as AWS JSON 1.0 does: status 400 and
 * `{"__type": type, "message": ...}`, so that the SDK throws the exception of that name.
 * https://docs.aws.amazon.com/step-functions/latest/apireference/CommonErrors.html
 */
export class StepFunctionsApiError extends AwsJsonError {
  override readonly name: string = 'StepFunctionsApiError';
}
