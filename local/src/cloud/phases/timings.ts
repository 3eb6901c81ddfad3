import { availableParallelism, loadavg } from 'node:os';

/** One step of a start-up, in milliseconds since the start began. */
export interface StepTiming {
  name: string;
  startMs: number;
  endMs: number;
  /** What the step found: 'unchanged, reused', 'packaged'... */
  note?: string;
}

/** The steps of one start-up, which overlap where their dependencies allow. */
export interface StartTimings {
  /** Runs `work` as the step `name`; `note` says what it found. Steps that fail are recorded too. */
  measure<T>(name: string, work: (note: (text: string) => void) => Promise<T>): Promise<T>;
  readonly steps: readonly StepTiming[];
  /** The 1, 5 and 15 minute load averages when the start began: figures move with the machine's load. */
  readonly loadAtStart: readonly number[];
}

export function createStartTimings(now: () => number = () => performance.now()): StartTimings {
  const origin = now();
  const steps: StepTiming[] = [];
  return {
    steps,
    loadAtStart: loadavg(),
    async measure(name, work) {
      const step: StepTiming = { name, startMs: now() - origin, endMs: Number.NaN };
      steps.push(step);
      try {
        return await work((text) => {
          step.note = text;
        });
      } finally {
        step.endMs = now() - origin;
      }
    },
  };
}

const BAR_WIDTH = 40;

/**
 * The steps as a table, in the order they started, each with a bar on one time axis so that what ran
 * side by side shows; then the load averages, since on a shared machine the figures move with them.
 */
export function formatTimings(
  timings: Pick<StartTimings, 'steps' | 'loadAtStart'>,
  readyMs = Math.max(0, ...timings.steps.map((step) => step.endMs)),
): string {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const scale = BAR_WIDTH / Math.max(readyMs, 1);
  const rows = [...timings.steps]
    .sort((a, b) => a.startMs - b.startMs)
    .map((step) => {
      const from = Math.floor(step.startMs * scale);
      const width = Math.max(1, Math.round((step.endMs - step.startMs) * scale));
      const bar = `${' '.repeat(from)}${'#'.repeat(width)}`.padEnd(BAR_WIDTH).slice(0, BAR_WIDTH);
      return [
        step.note ? `${step.name} (${step.note})` : step.name,
        seconds(step.startMs),
        seconds(step.endMs),
        seconds(step.endMs - step.startMs),
        `|${bar}|`,
      ];
    });
  const table = [['step', 'from', 'to', 'took', 'timeline'], ...rows];
  const widths =
    table[0]?.map((_, column) => Math.max(...table.map((row) => (row[column] ?? '').length))) ?? [];
  const lines = table.map((row) =>
    row
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  '),
  );
  const load = timings.loadAtStart.map((value) => value.toFixed(2)).join(' ');
  lines.push(
    `ready after ${seconds(readyMs)}; load average at start ${load} (${availableParallelism()} cores)`,
  );
  return lines.join('\n');
}
