// What a function prints, labelled with the function's name, for serverless-offline's worker threads
// (see patches.ts). Lambda keeps one CloudWatch log group per function; serverless-offline lets every
// worker write straight into the process's output, where one function's lines cannot be told from
// another's. Each worker's output is read line by line instead, and written on with a label that the
// local cloud takes off again (local/src/lambda/function-logs.ts).
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

/** `λ <function name>\t<the line as the function printed it>` */
export const FUNCTION_LINE_LABEL = 'λ ';

export function labelFunctionOutput(
  worker: { stdout: Readable; stderr: Readable },
  functionName: string,
  outputs: { stdout: Writable; stderr: Writable } = process,
): void {
  for (const name of ['stdout', 'stderr'] as const) {
    createInterface({ input: worker[name], crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) =>
      outputs[name].write(`${FUNCTION_LINE_LABEL}${functionName}\t${line}\n`),
    );
  }
}
