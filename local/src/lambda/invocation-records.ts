import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { type InvocationReport, parseReportLine } from '../cloud/offline-fixes/invocation-report';
import type { LocalFunction } from './local-functions';

/**
 * The local cloud's record of every invocation, one JSON document a line in
 * `.local/metrics/invocations.jsonl`, beside the functions' metrics (metrics.jsonl): what Lambda's REPORT
 * line says of it (the worker prints one, offline-fixes/invocation-report.ts), with the function's service,
 * key and configuration from the packaged template. npm run rightsize reads it.
 */
export const invocationRecordSchema = z.object({
  /** The service's key in serverless-compose.yml. */
  service: z.string(),
  /** The function's key in serverless.yml. */
  functionKey: z.string(),
  /** The physical name. */
  functionName: z.string(),
  requestId: z.string(),
  /** When the invocation started (ISO 8601): when its REPORT line arrived, less its init and duration. */
  start: z.string(),
  durationMs: z.number(),
  billedDurationMs: z.number(),
  initDurationMs: z.number().optional(),
  /** The template's MemorySize. */
  memorySizeMb: z.number(),
  /** Lambda's "Max Memory Used" as measured locally (invocation-report.ts says how). */
  maxMemoryUsedMb: z.number(),
  architecture: z.enum(['x86_64', 'arm64']),
});

export type InvocationRecord = z.infer<typeof invocationRecordSchema>;

export function invocationsFile(metricsDir: string): string {
  return join(metricsDir, 'invocations.jsonl');
}

/** The record of a function's output line when it is a REPORT line, as a line of the file; else undefined. */
export function invocationRecordLine(
  fn: Pick<LocalFunction, 'service' | 'key' | 'name' | 'memorySize' | 'architecture'>,
  line: string,
  receivedAt = new Date(),
): string | undefined {
  const report = parseReportLine(line);
  if (report === undefined) return undefined;
  return `${JSON.stringify(invocationRecord(fn, report, receivedAt))}\n`;
}

export function invocationRecord(
  fn: Pick<LocalFunction, 'service' | 'key' | 'name' | 'memorySize' | 'architecture'>,
  report: InvocationReport,
  receivedAt: Date,
): InvocationRecord {
  const startMs = receivedAt.getTime() - report.durationMs - (report.initDurationMs ?? 0);
  return {
    service: fn.service,
    functionKey: fn.key,
    functionName: fn.name,
    requestId: report.requestId,
    start: new Date(startMs).toISOString(),
    durationMs: report.durationMs,
    billedDurationMs: report.billedDurationMs,
    ...(report.initDurationMs === undefined ? {} : { initDurationMs: report.initDurationMs }),
    memorySizeMb: fn.memorySize,
    maxMemoryUsedMb: report.maxMemoryUsedMb,
    architecture: fn.architecture,
  };
}

/** Every record of the file (none when there is no file yet); a line being written is left for later. */
export async function readInvocationRecords(file: string): Promise<InvocationRecord[]> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => invocationRecordSchema.parse(JSON.parse(line)));
}
