import { type CloudDescription } from '../src/cloud/cloud-description';
/**
 * One local cloud for every integration suite of a test run: started by the first suite that asks
 * for it (so a run of unit tests starts nothing), stopped by the root afterAll hook, and checked to
 * leave no process behind. It runs as `npm start` would, in a child process, with its own state
 * folder, the fixture service of local/test, and shortened asynchronous retry delays.
 */
export interface TestCloud {
  description: CloudDescription;
  /** Where the fixture service writes what it received, one file per function. */
  recordingsDir: string;
  /** Every event the fixture function received so far. */
  recordings(functionKey: string): Promise<Record<string, unknown>[]>;
  /** Polls `read` until `done` holds (or fails after `timeoutMs`), and returns the last value. */
  eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs?: number): Promise<T>;
  env: Record<string, string>;
}
export declare const startedPids: number[];
export declare const startedPorts: number[];
export declare function useLocalCloud(): Promise<TestCloud>;
/** Stops the cloud as Ctrl-C would, and waits for its process to exit. */
export declare function stopLocalCloud(): Promise<void>;
export declare function isRunning(pid: number): boolean;
export declare function listFiles(dir: string): Promise<string[]>;
