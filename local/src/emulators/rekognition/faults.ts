import * as z from 'zod';
import { REKOGNITION_ERROR_TYPES, RekognitionServiceError } from './errors';

/** Body of POST /_local/faults. */
export const faultRequestSchema = z.object({
  operation: z.literal('DetectLabels'),
  error: z.enum(REKOGNITION_ERROR_TYPES),
  /** How many of the next calls fail. */
  times: z.number().int().min(1).max(1_000).default(1),
  message: z.string().min(1).optional(),
  /** Overrides the status AWS sends with `error` (e.g. 400 for the "Slow down" ThrottlingException). */
  statusCode: z.number().int().min(400).max(599).optional(),
});

export type FaultRequest = z.infer<typeof faultRequestSchema>;

export interface ArmedFault extends FaultRequest {
  remaining: number;
}

export interface FaultPlan {
  /** Queues a fault after those already armed for the same operation. */
  arm(fault: FaultRequest): void;
  clear(): void;
  /** The error the next call to `operation` must fail with, if a fault is armed; uses one of its `times`. */
  take(operation: string): RekognitionServiceError | undefined;
  armed(): ArmedFault[];
}

const DEFAULT_MESSAGES: Partial<Record<FaultRequest['error'], string>> = {
  InternalServerError: 'Internal server error',
  ThrottlingException: 'Slow down; sudden increase in rate of requests.',
  ProvisionedThroughputExceededException: 'Provisioned Rate exceeded.',
};

export const createFaultPlan = (): FaultPlan => {
  let faults: ArmedFault[] = [];
  return {
    arm: (fault) => {
      faults.push({ ...fault, remaining: fault.times });
    },
    clear: () => {
      faults = [];
    },
    take: (operation) => {
      const fault = faults.find((candidate) => candidate.operation === operation);
      if (fault === undefined) return undefined;
      fault.remaining -= 1;
      if (fault.remaining === 0) faults = faults.filter((candidate) => candidate !== fault);
      return new RekognitionServiceError(
        fault.error,
        fault.message ?? DEFAULT_MESSAGES[fault.error] ?? `injected ${fault.error}`,
        { statusCode: fault.statusCode },
      );
    },
    armed: () => faults.map((fault) => ({ ...fault })),
  };
};
