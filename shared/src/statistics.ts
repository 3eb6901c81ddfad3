/**
 * The nearest-rank percentile: the smallest sample with at least `p` % of the samples at or below it,
 * so always one of the samples. NaN for no samples, which prints as such in a report.
 * Used by the benchmarks, the load generators and npm run rightsize.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}
