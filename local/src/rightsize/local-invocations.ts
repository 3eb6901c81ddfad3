import type { InvocationRecord } from '../lambda/invocation-records';
import type { FunctionInvocations } from './rightsize';

/**
 * The local cloud's invocation records (local/src/lambda/invocation-records.ts) by function, those that
 * started at or after `since`. A function's configuration is its latest record's (the template the cloud
 * last started with).
 */
export function localInvocations(records: readonly InvocationRecord[], since?: Date): FunctionInvocations[] {
  const byFunction = new Map<string, InvocationRecord[]>();
  for (const record of records) {
    if (since !== undefined && Date.parse(record.start) < since.getTime()) continue;
    const id = `${record.service}\t${record.functionKey}`;
    const invocations = byFunction.get(id);
    if (invocations === undefined) byFunction.set(id, [record]);
    else invocations.push(record);
  }
  return [...byFunction.values()].map((invocations) => {
    const latest = invocations.reduce((a, b) => (Date.parse(b.start) >= Date.parse(a.start) ? b : a));
    return {
      fn: {
        service: latest.service,
        key: latest.functionKey,
        name: latest.functionName,
        memorySizeMb: latest.memorySizeMb,
        architecture: latest.architecture,
      },
      invocations,
    };
  });
}
