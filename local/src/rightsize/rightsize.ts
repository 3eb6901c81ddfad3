// npm run rightsize's method, pure: from the invocations of a function (their REPORT lines, locally or in
// AWS) to its percentiles, peak memory, a recommended memory size and the cost per million invocations.
//
// The anchor is AWS Lambda Power Tuning (https://github.com/alexcasalboni/aws-lambda-power-tuning): it
// runs a function at several memory sizes, averages each size's billed duration into a cost per
// invocation, and its `cost` strategy picks the cheapest size. Here the function is not run again: the
// sizes are not tried, the measured duration stands for every size. With the duration held equal, the
// cost only grows with memory, so the cheapest size is the smallest the function fits in: its peak with
// headroom. In Lambda, CPU grows with memory, so that assumption holds for a function that waits (on
// DynamoDB, S3, HTTP) and not for one that computes: that one may be faster and no dearer with more
// memory, and Power Tuning, in AWS, is how to find out.
// https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html
import { percentile } from '@serverless-patterns/shared/statistics';
import type { LambdaArchitecture } from '../lambda/local-functions';
import { LAMBDA_PRICES, type LambdaPrices } from './lambda-prices';

/** A function as configured now. */
export interface FunctionConfiguration {
  /** The service's key in serverless-compose.yml. */
  service: string;
  /** The function's key in serverless.yml. */
  key: string;
  /** The physical name. */
  name: string;
  memorySizeMb: number;
  architecture: LambdaArchitecture;
}

/** What a REPORT line says of one invocation. */
export interface MeasuredInvocation {
  durationMs: number;
  billedDurationMs: number;
  maxMemoryUsedMb: number;
}

export interface FunctionInvocations {
  fn: FunctionConfiguration;
  /** The invocations measured: all of them, or the latest when there were more than a query returns. */
  invocations: readonly MeasuredInvocation[];
  /** How many there were, when more than `invocations`. */
  count?: number;
}

export interface Rightsizing {
  fn: FunctionConfiguration;
  invocations: number;
  /** How many of them the percentiles, peak and cost are taken from. */
  measured: number;
  p50DurationMs: number;
  p99DurationMs: number;
  /** The mean billed duration: what the cost is made of. */
  meanBilledDurationMs: number;
  /** The most memory any invocation used. */
  peakMemoryMb: number;
  recommendedMemoryMb: number;
  /** USD per million invocations, at the configured and at the recommended size (same duration). */
  costPerMillion: { current: number; recommended: number };
}

/** How the recommended size is chosen: peak × headroom, rounded up to a step, within Lambda's limits. */
export interface RecommendationRule {
  headroom: number;
  stepMb: number;
  minMb: number;
  maxMb: number;
}

/**
 * 30 % above the peak (inputs larger than those measured, memory that grows across warm invocations),
 * in steps of 64 MB, within Lambda's 128 MB to 10,240 MB.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html
 */
export const RECOMMENDATION: RecommendationRule = { headroom: 1.3, stepMb: 64, minMb: 128, maxMb: 10_240 };

export function recommendedMemory(peakMemoryMb: number, rule: RecommendationRule = RECOMMENDATION): number {
  const wanted = Math.ceil((peakMemoryMb * rule.headroom) / rule.stepMb) * rule.stepMb;
  return Math.min(rule.maxMb, Math.max(rule.minMb, wanted));
}

/** USD per million invocations of `memorySizeMb` that are each billed `billedDurationMs`. */
export function costPerMillion(
  memorySizeMb: number,
  billedDurationMs: number,
  architecture: LambdaArchitecture,
  prices: LambdaPrices = LAMBDA_PRICES,
): number {
  const gbSecondsEach = (memorySizeMb / 1024) * (billedDurationMs / 1000);
  return prices.perMillionRequests + 1_000_000 * gbSecondsEach * prices.perGbSecond[architecture];
}

/** One function's row; undefined when it has no invocation to measure. */
export function rightsize(
  { fn, invocations, count }: FunctionInvocations,
  rule: RecommendationRule = RECOMMENDATION,
  prices: LambdaPrices = LAMBDA_PRICES,
): Rightsizing | undefined {
  if (invocations.length === 0) return undefined;
  const durations = invocations.map((invocation) => invocation.durationMs);
  const meanBilledDurationMs =
    invocations.reduce((sum, invocation) => sum + invocation.billedDurationMs, 0) / invocations.length;
  // A reduce, not Math.max(...): the local cloud's records are not capped, and past about 100,000
  // invocations the spread exceeds what a call takes as arguments.
  const peakMemoryMb = invocations.reduce(
    (peak, invocation) => Math.max(peak, invocation.maxMemoryUsedMb),
    0,
  );
  const recommendedMemoryMb = recommendedMemory(peakMemoryMb, rule);
  return {
    fn,
    invocations: Math.max(count ?? 0, invocations.length),
    measured: invocations.length,
    p50DurationMs: percentile(durations, 50),
    p99DurationMs: percentile(durations, 99),
    meanBilledDurationMs,
    peakMemoryMb,
    recommendedMemoryMb,
    costPerMillion: {
      current: costPerMillion(fn.memorySizeMb, meanBilledDurationMs, fn.architecture, prices),
      recommended: costPerMillion(recommendedMemoryMb, meanBilledDurationMs, fn.architecture, prices),
    },
  };
}

/** Rows by service, then function. */
export function rightsizeAll(
  functions: readonly FunctionInvocations[],
  rule: RecommendationRule = RECOMMENDATION,
  prices: LambdaPrices = LAMBDA_PRICES,
): Rightsizing[] {
  return functions
    .map((measured) => rightsize(measured, rule, prices))
    .filter((row): row is Rightsizing => row !== undefined)
    .sort((a, b) => a.fn.service.localeCompare(b.fn.service) || a.fn.key.localeCompare(b.fn.key));
}

const WINDOW_UNITS_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `30m`, `24h`, `7d` in milliseconds; undefined for anything else. */
export function parseWindow(text: string): number | undefined {
  const match = /^(\d+)([mhd])$/.exec(text.trim());
  if (match === null) return undefined;
  const amount = Number(match[1]);
  return amount > 0 ? amount * WINDOW_UNITS_MS[match[2] as keyof typeof WINDOW_UNITS_MS] : undefined;
}
