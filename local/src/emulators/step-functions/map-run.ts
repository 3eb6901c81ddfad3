/**
 * A Map Run's child executions: at most `maxConcurrency` at once, started in item order, and
 * stopped as soon as the failures exceed the tolerated threshold (the Map Run then fails with
 * States.ExceedToleratedFailureThreshold; what runs is aborted, what has not started stays pending).
 * Pure: the children are started through `startChild`, so that this is tested without a runner.
 * https://docs.aws.amazon.com/step-functions/latest/dg/maprun-fail-threshold.html
 */

export type ChildStatus = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ChildOutcome {
  status: ChildStatus;
  output?: unknown;
  error?: string;
  cause?: string;
}

export interface StartedChild {
  finished: Promise<ChildOutcome>;
  abort(): void;
}

/** The tolerated failures; undefined when the definition does not set it. */
export interface FailureTolerance {
  percentage?: number | undefined;
  count?: number | undefined;
}

/** DescribeMapRun's itemCounts and executionCounts. */
export interface MapRunCounts {
  pending: number;
  running: number;
  succeeded: number;
  failed: number;
  timedOut: number;
  aborted: number;
  total: number;
  resultsWritten: number;
  failuresNotRedrivable: number;
  pendingRedrive: number;
}

export const emptyCounts = (total: number): MapRunCounts => ({
  pending: total,
  running: 0,
  succeeded: 0,
  failed: 0,
  timedOut: 0,
  aborted: 0,
  total,
  resultsWritten: 0,
  failuresNotRedrivable: 0,
  pendingRedrive: 0,
});

const COUNTER: Record<ChildStatus, 'succeeded' | 'failed' | 'timedOut' | 'aborted'> = {
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
  TIMED_OUT: 'timedOut',
  ABORTED: 'aborted',
};

/**
 * Whether `failedItems` out of `totalItems` exceed the tolerance. Without either field no failure
 * is tolerated; with both, exceeding either fails the Map Run.
 */
export function exceedsTolerance(
  failedItems: number,
  totalItems: number,
  tolerance: FailureTolerance,
): boolean {
  const { percentage, count } = tolerance;
  if (percentage === undefined && count === undefined) return failedItems > 0;
  if (count !== undefined && failedItems > count) return true;
  return percentage !== undefined && totalItems > 0 && (failedItems * 100) / totalItems > percentage;
}

export interface ChildInput {
  input: unknown;
  /** Items this child processes (the batch's size; 1 without ItemBatcher). */
  itemCount: number;
}

export interface MapRunOutcome {
  /** By child index; undefined for a child that never started (pending). */
  outcomes: (ChildOutcome | undefined)[];
  exceeded: boolean;
}

export async function runChildren(options: {
  children: readonly ChildInput[];
  maxConcurrency: number;
  tolerance: FailureTolerance;
  startChild(input: unknown, index: number): StartedChild;
  /** True once the parent execution ended (aborted): nothing more is started. */
  stopped(): boolean;
  counts: { items: MapRunCounts; executions: MapRunCounts };
}): Promise<MapRunOutcome> {
  const { children, tolerance, counts } = options;
  const totalItems = children.reduce((sum, child) => sum + child.itemCount, 0);
  const outcomes: (ChildOutcome | undefined)[] = children.map(() => undefined);
  const running = new Map<number, StartedChild>();
  let next = 0;
  let failedItems = 0;
  let exceeded = false;

  const move = (index: number, from: keyof MapRunCounts, to: keyof MapRunCounts) => {
    const items = children[index]?.itemCount ?? 0;
    counts.items[from] -= items;
    counts.items[to] += items;
    counts.executions[from] -= 1;
    counts.executions[to] += 1;
  };

  async function worker(): Promise<void> {
    while (!exceeded && !options.stopped() && next < children.length) {
      const index = next;
      next += 1;
      const child = options.startChild(children[index]?.input, index);
      running.set(index, child);
      move(index, 'pending', 'running');
      const outcome = await child.finished;
      running.delete(index);
      outcomes[index] = outcome;
      move(index, 'running', COUNTER[outcome.status]);
      if (outcome.status === 'SUCCEEDED') continue;
      failedItems += children[index]?.itemCount ?? 0;
      if (!exceeded && exceedsTolerance(failedItems, totalItems, tolerance)) {
        exceeded = true;
        for (const other of running.values()) other.abort();
      }
    }
  }

  const workers = Math.max(1, Math.min(options.maxConcurrency, children.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return { outcomes, exceeded };
}
