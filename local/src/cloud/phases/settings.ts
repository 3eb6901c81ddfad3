import { findFreePort } from '../../emulators/emulator';
import type { localPaths } from '../layout';
import type { StartTimings } from './timings';

/** What every phase of a start-up reads: decided once by startCloud from its options. */
export interface CloudSettings {
  root: string;
  stage: string;
  paths: ReturnType<typeof localPaths>;
  /**
   * `npm start`'s own cloud (state in .local): it takes its preferred ports when free, so that URLs
   * stay the same from one run to the next. A cloud with its own state folder (tests, benchmarks)
   * takes whatever ports the kernel gives, so that it never races another cloud for the same ones.
   */
  preferredPort(port: number): number | undefined;
  /**
   * A free port on 127.0.0.1 (the preferred one when `preferredPort` allows it and it is free), never
   * one this start-up has handed out already: the kernel may give a port again once its probe closed.
   */
  freePort(preferred?: number): Promise<number>;
  /**
   * serverless-esbuild's outputWorkFolder, relative to each service: each cloud bundles into its own,
   * so that `npm start` and a test run never delete each other's handlers.
   */
  esbuildWorkFolder: string;
  /** Stage parameters for every service, as `sls deploy --param "name=value"` takes them. */
  params: Record<string, string>;
  /** Multiplies Lambda's asynchronous retry delays and Step Functions' Retry intervals. */
  retryDelayScale: number;
  signal?: AbortSignal;
  log: (line: string) => void;
  /** Each step of this start-up, for `npm start -- --timings` and the start-up benchmark. */
  timings: StartTimings;
  /**
   * What the front door vouches for an IAM-authorized caller with, to this cloud's serverless-offline
   * processes only (offline-fixes/iam-identity.ts); new at every start.
   */
  iamProofSecret: string;
}

export function createPortBook(preferredPort: (port: number) => number | undefined) {
  const given = new Set<number>();
  return async (preferred?: number): Promise<number> => {
    let port = await findFreePort(preferred === undefined ? undefined : preferredPort(preferred));
    while (given.has(port)) port = await findFreePort();
    given.add(port);
    return port;
  };
}

/** Everything started so far, stopped in reverse order: on stop(), on a failed start, on abort. */
export interface Teardown {
  add(stop: () => Promise<void>): void;
  stopAll(): Promise<void>;
}

export function createTeardown(log: (line: string) => void): Teardown {
  const stoppers: (() => Promise<void>)[] = [];
  return {
    add: (stop) => void stoppers.push(stop),
    async stopAll() {
      for (const stop of stoppers.splice(0).reverse()) {
        await stop().catch((error: unknown) => log(`stopping: ${String(error)}`));
      }
    },
  };
}

/**
 * Awaits what was started side by side: each that started is stopped by `teardown`, even when another
 * failed; then the first failure is thrown.
 */
export async function allStarted<Running extends { stop(): Promise<void> }>(
  starting: readonly Promise<Running>[],
  teardown: Teardown,
): Promise<Running[]> {
  const settled = await Promise.allSettled(starting);
  for (const result of settled) if (result.status === 'fulfilled') teardown.add(result.value.stop);
  const failure = settled.find((result) => result.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<Running>).value);
}
