/** The repository root: local/src/cloud -> ../../.. */
export declare const REPO_ROOT: string;
/**
 * Where the local cloud keeps its state: `.local/` (git-ignored) by default; tests use a temporary
 * folder so that they never meet a cloud someone started with `npm start`.
 */
export declare function localPaths(
  root?: string,
  stateDir?: string,
): {
  base: string;
  data: string;
  build: string;
  cloudFile: string;
  lockFile: string;
  metrics: string;
};
export interface ServiceDefinition {
  /** The compose key: api, catalog, ... */
  key: string;
  /** The folder with the service's serverless.yml. */
  path: string;
}
/** The services of serverless-compose.yml, in its order (catalog exports before clickstream imports). */
export declare function composeServices(root?: string): ServiceDefinition[];
/** Runs osls from the repository's own node_modules, with the Node that runs the local cloud. */
export declare function oslsCommand(root?: string): [string, string[]];
