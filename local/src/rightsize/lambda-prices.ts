import type { LambdaArchitecture } from '../lambda/local-functions';

export interface LambdaPrices {
  region: string;
  /** When they were read from `source`. */
  readOn: string;
  source: string;
  /** USD per million requests. */
  perMillionRequests: number;
  /** USD per GB-second of billed duration, by architecture. */
  perGbSecond: Record<LambdaArchitecture, number>;
}

/**
 * Lambda's on-demand prices in US East (N. Virginia), the one place npm run rightsize takes them from:
 * requests $0.20 per million; duration per GB-second, first tier (the first 6 billion GB-seconds a month
 * on x86, 7.5 billion on Arm), free tier left out. Duration is billed rounded up to the millisecond, and
 * a GB is 1,024 MB of configured memory.
 */
export const LAMBDA_PRICES: LambdaPrices = {
  region: 'us-east-1',
  readOn: '2026-12-05',
  source: 'https://aws.amazon.com/lambda/pricing/',
  perMillionRequests: 0.2,
  perGbSecond: { x86_64: 0.0000166667, arm64: 0.0000133334 },
};
