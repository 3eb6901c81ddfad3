import { TooManyRequestsError } from '@serverless-patterns/shared/errors';
import type { UploadQuota } from '@serverless-patterns/shared/schemas/api';

// How many uploads a person may start per day. Each upload costs a workflow: three sharp functions of
// 1 to 1.5 GB and, with labels on, a Rekognition call; sign-up is open, so the count is what bounds what
// one account can spend.
//
// The count is taken when POST /images/uploads issues a presigned POST, not when the object arrives:
// - the refusal is a 429 to the request that asked, before any byte is sent, with the time it resets;
//   counted on arrival, the API could only guess, and photos already uploaded would be turned away;
// - a presigned POST cannot be replayed into more work: its key is its own (uploads/<owner>/<uploadId>/),
//   and the trigger processes one object per key (core/uploads.ts, key-reused).
// An upload that is asked for and never sent still counts: the count is of what was allowed.

/** A count per owner and day, taken only while it is under the limit; implemented by a DynamoDB table. */
export interface UploadCounter {
  /**
   * Adds one to the owner's count of `day` if it is below `limit`, and returns the new count, or
   * 'exhausted' without changing it. `expiresAt` is when the count may be forgotten (table TTL).
   */
  take(ownerId: string, day: string, limit: number, expiresAt: Date): Promise<number | 'exhausted'>;
}

/** The day (UTC) that `now` counts against, and when its quota resets: the next midnight UTC. */
export function quotaDay(now: Date): { day: string; resetsAt: Date } {
  const day = now.toISOString().slice(0, 10);
  const resetsAt = new Date(`${day}T00:00:00.000Z`);
  resetsAt.setUTCDate(resetsAt.getUTCDate() + 1);
  return { day, resetsAt };
}

export class UploadQuotaExceededError extends TooManyRequestsError {
  override readonly name: string = 'UploadQuotaExceededError';
  declare readonly details: { limit: number; resetsAt: string };

  constructor(limit: number, resetsAt: Date, now: Date) {
    const minutes = Math.max(1, Math.ceil((resetsAt.getTime() - now.getTime()) / 60_000));
    const wait = minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
    const uploads = `${limit} ${limit === 1 ? 'upload' : 'uploads'}`;
    super(`You have reached today's limit of ${uploads}. It resets at midnight UTC, in ${wait}.`, {
      details: { limit, resetsAt: resetsAt.toISOString() },
    });
  }
}

/** Takes one upload from the owner's quota of the day, or refuses with UploadQuotaExceededError. */
export function createUploadQuota({ counter, dailyLimit }: { counter: UploadCounter; dailyLimit: number }) {
  return {
    async take(ownerId: string, now: Date): Promise<UploadQuota> {
      const { day, resetsAt } = quotaDay(now);
      // Kept a day past its reset, then left to the table's TTL.
      const expiresAt = new Date(resetsAt.getTime() + 24 * 60 * 60 * 1000);
      // A limit of 0 closes uploads (the counter's condition could not refuse a first upload).
      const count = dailyLimit > 0 ? await counter.take(ownerId, day, dailyLimit, expiresAt) : 'exhausted';
      if (count === 'exhausted') throw new UploadQuotaExceededError(dailyLimit, resetsAt, now);
      return {
        limit: dailyLimit,
        remaining: Math.max(0, dailyLimit - count),
        resetsAt: resetsAt.toISOString(),
      };
    },
  };
}

export type UploadQuotaPolicy = ReturnType<typeof createUploadQuota>;
