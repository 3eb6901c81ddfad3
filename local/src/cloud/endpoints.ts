import { ENDPOINT_VARIABLES, type LocalService } from '../emulators/registry';

export type { LocalService } from '../emulators/registry';
export type Endpoints = Partial<Record<LocalService, string>>;

/**
 * Credentials the emulators accept; they check no signature. Frozen, because an SDK client writes
 * its bookkeeping (`$source`: how the credentials were given) onto the object it is handed: give
 * each client `localCredentials()`.
 */
export const LOCAL_CREDENTIALS = Object.freeze({ accessKeyId: 'local', secretAccessKey: 'local-secret' });

/** A copy of LOCAL_CREDENTIALS that an SDK client may write on. */
export const localCredentials = () => ({ ...LOCAL_CREDENTIALS });
export const LOCAL_REGION = 'us-east-1';

/**
 * The environment that points any AWS SDK or the AWS CLI at the local cloud: the SDK's own
 * AWS_ENDPOINT_URL_<SERVICE> variables, one per service the emulator registry serves.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
export function awsEnvironment(endpoints: Endpoints): Record<string, string> {
  const environment: Record<string, string> = {
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    // s3rver stores aws-chunked framing verbatim when the SDK adds optional checksums to streamed
    // uploads; real S3 needs no such setting, and these only stop optional checksums.
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
  };
  for (const [service, suffix] of Object.entries(ENDPOINT_VARIABLES)) {
    const endpoint = endpoints[service as LocalService];
    if (endpoint !== undefined) environment[`AWS_ENDPOINT_URL_${suffix}`] = endpoint;
  }
  return environment;
}
