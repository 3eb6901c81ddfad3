import * as z from 'zod';

/**
 * Faults a test arms with `POST /_local/faults` on the Firehose endpoint, to see a producer or a
 * pipeline through what AWS does under load: `PutRecordBatch.record` fails records of PutRecordBatch
 * (and PutRecord calls) with ServiceUnavailableException, as a throttled stream does;
 * `Lambda.invocation` fails transformation invocations as a function error would.
 */
export const faultRequestSchema = z
  .object({
    fault: z.enum(['PutRecordBatch.record', 'Lambda.invocation']),
    /** Only this stream's; every stream's when left out. */
    deliveryStreamName: z.string().min(1).optional(),
    /** The next `times` records or invocations fail. */
    times: z.number().int().min(1).max(1_000_000).optional(),
    /** Every `every`-th one fails, until the faults are cleared (DELETE). */
    every: z.number().int().min(1).max(1_000_000).optional(),
  })
  .refine((fault) => (fault.times === undefined) !== (fault.every === undefined), {
    message: 'give either times or every',
  });

export type FaultRequest = z.infer<typeof faultRequestSchema>;
export type FaultKind = FaultRequest['fault'];

export interface FaultPlan {
  arm(fault: FaultRequest): void;
  clear(): void;
  /** Whether the next record or invocation of `kind` on `stream` fails; counts it. */
  take(kind: FaultKind, stream: string): boolean;
  armed(): FaultRequest[];
}

export function createFaultPlan(): FaultPlan {
  let faults: (FaultRequest & { seen: number; remaining?: number })[] = [];
  return {
    arm(fault) {
      faults.push({ ...fault, seen: 0, ...(fault.times === undefined ? {} : { remaining: fault.times }) });
    },
    clear() {
      faults = [];
    },
    take(kind, stream) {
      const fault = faults.find(
        (candidate) =>
          candidate.fault === kind &&
          (candidate.deliveryStreamName === undefined || candidate.deliveryStreamName === stream),
      );
      if (fault === undefined) return false;
      fault.seen += 1;
      if (fault.remaining !== undefined) {
        fault.remaining -= 1;
        if (fault.remaining === 0) faults = faults.filter((candidate) => candidate !== fault);
        return true;
      }
      return fault.seen % (fault.every ?? 1) === 0;
    },
    armed: () => faults.map(({ seen: _seen, remaining: _remaining, ...fault }) => fault),
  };
}
