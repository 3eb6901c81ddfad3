// Lambda's REPORT line for serverless-offline's worker threads (see patches.ts): after every invocation
// Lambda writes one line to the function's log stream with the invocation's duration, its billed
// duration, the memory size and the most memory the execution environment used. The worker now
// measures the same and prints the same line, which the local cloud reads back into its invocation
// records (local/src/lambda/invocation-records.ts) and npm run rightsize reads too, as it reads AWS's own
// lines from CloudWatch Logs: one grammar, both sides.
// https://docs.aws.amazon.com/lambda/latest/dg/nodejs-logging.html#node-logging-output
//
// Memory. Lambda's "Max Memory Used" is the memory of the whole execution environment: the runtime
// process, its Node.js and the function. Here every execution environment is a worker thread of one
// serverless-offline process per service, so the process's RSS (process.memoryUsage().rss,
// process.resourceUsage().maxRSS) is shared by every function of the service and cannot be told apart.
// What is the worker's own is its V8 isolate: its heap (committed pages), the memory V8 allocated for
// itself, and the external memory it accounts for (Buffers, ArrayBuffers). The peak of that is taken
// over the invocation: before and after every garbage collection during it (the heap is at its fullest
// just before one; v8.GCProfiler), at its start and at its end. To that is added what Node itself costs
// outside the isolate (NODE_RUNTIME_BASE_MB), so that the figure is comparable with Lambda's. Memory that
// native code allocates outside V8 (sharp's libvips, DuckDB) is not counted: for those functions the
// local figure is low, and AWS's REPORT lines (npm run rightsize -- --stage S) are the measure.
// This file runs in the worker under Node's type stripping: it imports nothing but Node's modules.
import { performance } from 'node:perf_hooks';
import { GCProfiler, getHeapStatistics } from 'node:v8';

/**
 * What a Node.js 24 process costs outside its main isolate: the RSS of a bare `node -e` on the pinned
 * Node (24.21.0, linux x64) less its isolate's committed heap, external and V8-malloced memory, measured
 * on 2026-12-05 (43.8 MB RSS, 36.4 MB outside the isolate, three runs alike). Re-measure with:
 * node -e 'const s=require("v8").getHeapStatistics();console.log((process.memoryUsage().rss-s.total_physical_size-s.external_memory-s.malloced_memory)/2**20)'
 */
export const NODE_RUNTIME_BASE_MB = 36;

/** One invocation as Lambda's REPORT line gives it; durations in ms, memory in MB (Lambda's MB are MiB). */
export interface InvocationReport {
  requestId: string;
  durationMs: number;
  billedDurationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  /** On a cold start only: loading the function's code (Lambda's INIT phase). */
  initDurationMs?: number;
}

export const REPORT_PREFIX = 'REPORT RequestId: ';

/** Lambda's line: `REPORT RequestId: <id>\tDuration: 2.46 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 65 MB`. */
export function formatReportLine(report: InvocationReport): string {
  return [
    `${REPORT_PREFIX}${report.requestId}`,
    `Duration: ${report.durationMs.toFixed(2)} ms`,
    `Billed Duration: ${report.billedDurationMs} ms`,
    `Memory Size: ${report.memorySizeMb} MB`,
    `Max Memory Used: ${report.maxMemoryUsedMb} MB`,
    ...(report.initDurationMs === undefined ? [] : [`Init Duration: ${report.initDurationMs.toFixed(2)} ms`]),
  ].join('\t');
}

// Longer names first, so that "Billed Duration" is never read as "Duration".
const REPORT_FIELD =
  /(?:^|\s)(RequestId|Billed Restore Duration|Restore Duration|Init Duration|Billed Duration|Duration|Memory Size|Max Memory Used): ([\w.-]+)/g;

/** A REPORT line read back (Lambda's own or the local cloud's), or undefined for any other line. */
export function parseReportLine(line: string): InvocationReport | undefined {
  if (!line.startsWith(REPORT_PREFIX)) return undefined;
  const fields = new Map<string, string>();
  for (const [, name, value] of line.matchAll(REPORT_FIELD)) if (name && value) fields.set(name, value);
  const number = (name: string) => {
    const value = Number(fields.get(name));
    return fields.has(name) && Number.isFinite(value) ? value : undefined;
  };
  const requestId = fields.get('RequestId');
  const durationMs = number('Duration');
  const billedDurationMs = number('Billed Duration');
  const memorySizeMb = number('Memory Size');
  const maxMemoryUsedMb = number('Max Memory Used');
  if (
    requestId === undefined ||
    durationMs === undefined ||
    billedDurationMs === undefined ||
    memorySizeMb === undefined ||
    maxMemoryUsedMb === undefined
  )
    return undefined;
  const initDurationMs = number('Init Duration');
  return {
    requestId,
    durationMs,
    billedDurationMs,
    memorySizeMb,
    maxMemoryUsedMb,
    ...(initDurationMs === undefined ? {} : { initDurationMs }),
  };
}

/** How long the environment's last cold start took to load the function's code, until an invocation reports it. */
let unreportedInitMs: number | undefined;

/** Times the loading of the function's code (the runner loads it at the environment's first invocation). */
export function timedInit<T>(load: () => Promise<T>): Promise<T> {
  const started = performance.now();
  return load().finally(() => {
    unreportedInitMs = performance.now() - started;
  });
}

interface IsolateStatistics {
  totalPhysicalSize: number;
  externalMemory: number;
  mallocedMemory: number;
}

const isolateBytes = (statistics: IsolateStatistics) =>
  statistics.totalPhysicalSize + statistics.externalMemory + statistics.mallocedMemory;

function isolateBytesNow(): number {
  const now = getHeapStatistics();
  return isolateBytes({
    totalPhysicalSize: now.total_physical_size,
    externalMemory: now.external_memory,
    mallocedMemory: now.malloced_memory,
  });
}

/**
 * Runs one invocation and prints its REPORT line (also when it throws, as Lambda does). `context` is the
 * one serverless-offline gives the handler: its request id and memory size. One invocation at a time
 * runs in an execution environment (execution-environments.ts), so the isolate's peak is the invocation's.
 */
export async function reportedInvocation<T>(
  run: () => Promise<T>,
  context: { awsRequestId?: string; memoryLimitInMB?: string | number },
  write: (line: string) => void = (line) => process.stdout.write(line),
): Promise<T> {
  const profiler = new GCProfiler();
  profiler.start();
  const atStart = isolateBytesNow();
  const started = performance.now();
  try {
    return await run();
  } finally {
    const elapsedMs = performance.now() - started;
    const collections = profiler.stop()?.statistics ?? [];
    const peakBytes = Math.max(
      atStart,
      isolateBytesNow(),
      ...collections.flatMap((collection) => [
        isolateBytes(collection.beforeGC.heapStatistics),
        isolateBytes(collection.afterGC.heapStatistics),
      ]),
    );
    const initDurationMs = unreportedInitMs;
    unreportedInitMs = undefined;
    const durationMs = Math.max(0, elapsedMs - (initDurationMs ?? 0));
    write(
      `${formatReportLine({
        requestId: String(context.awsRequestId ?? ''),
        durationMs,
        // Lambda bills the INIT phase of on-demand invocations too since 1 August 2025, rounded up to the ms.
        // https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase/
        billedDurationMs: Math.ceil(elapsedMs),
        memorySizeMb: Number(context.memoryLimitInMB),
        maxMemoryUsedMb: NODE_RUNTIME_BASE_MB + Math.ceil(peakBytes / 2 ** 20),
        ...(initDurationMs === undefined ? {} : { initDurationMs }),
      })}\n`,
    );
  }
}
