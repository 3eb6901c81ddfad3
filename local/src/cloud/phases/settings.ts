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
