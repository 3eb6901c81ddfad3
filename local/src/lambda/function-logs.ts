import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FUNCTION_LINE_LABEL } from '../cloud/offline-fixes/function-output';

/**
 * The local counterpart of CloudWatch Logs: every line a service's functions print, appended to one
 * file as `{ time, service, line }` documents. `npm run logs` reads it, `npm run invoke` shows the lines
 * of one invocation. Lines come labelled with their function from serverless-offline's workers
 * (offline-fixes/function-output.ts); serverless-offline's own lines have no function.
 */
export interface FunctionLogLine {
  time: string;
  service: string;
  /** The physical function name; absent for serverless-offline's own lines. */
  functionName?: string;
  line: string;
}

/** A line of a serverless-offline process: which function printed it, and what it printed. */
export function splitFunctionLine(output: string): { functionName?: string; text: string } {
  if (!output.startsWith(FUNCTION_LINE_LABEL)) return { text: output };
  const tab = output.indexOf('\t');
  if (tab < 0) return { text: output };
  return { functionName: output.slice(FUNCTION_LINE_LABEL.length, tab), text: output.slice(tab + 1) };
}

export function functionLogsFile(logsDir: string): string {
  return join(logsDir, 'functions.jsonl');
}

export function functionLogLine(
  service: string,
  { functionName, text }: { functionName?: string; text: string },
  now = new Date(),
): string {
  const entry: FunctionLogLine = {
    time: now.toISOString(),
    service,
    ...(functionName ? { functionName } : {}),
    line: text,
  };
  return `${JSON.stringify(entry)}\n`;
}

export interface LogFilter {
  service: string;
  /** The function's physical name (cloud.json): lines that name another function are left out. */
  functionName?: string;
}

/** Whether a line belongs to the filter: its service, and its function when one is asked for. */
export function matches(entry: FunctionLogLine, filter: LogFilter): boolean {
  if (entry.service !== filter.service) return false;
  return filter.functionName === undefined || entry.functionName === filter.functionName;
}

/** The lines appended after byte `from`, and where the file ends now (to read on from there). */
export async function readLogsFrom(
  file: string,
  from: number,
): Promise<{ entries: FunctionLogLine[]; end: number }> {
  const size = await stat(file).then(
    (stats) => stats.size,
    () => 0,
  );
  if (size <= from) return { entries: [], end: from };
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(size - from);
    await handle.read(buffer, 0, buffer.length, from);
    const text = buffer.toString('utf8');
    // Only whole lines: a line being written stays for the next read.
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    const entries = complete
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as FunctionLogLine);
    return { entries, end: from + Buffer.byteLength(complete) };
  } finally {
    await handle.close();
  }
}

export async function logsEnd(file: string): Promise<number> {
  return stat(file).then(
    (stats) => stats.size,
    () => 0,
  );
}
