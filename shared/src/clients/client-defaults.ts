// Every client retries throttling and transient faults with exponential backoff and jitter, and
// the adaptive mode also slows its own sending rate when AWS throttles it.
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
//
// No endpoint is set here: the SDK reads AWS_ENDPOINT_URL_<SERVICE> by itself, which is how the
// local cloud and tests redirect clients without any branch in product code.
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
export const clientDefaults = {
  retryMode: 'adaptive',
  maxAttempts: 5,
} as const;
