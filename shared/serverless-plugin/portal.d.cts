// Types of portal.cjs, for the TypeScript tests that import it.

export {
  buildPortal,
  cacheControlOf,
  contentTypeOf,
  type PortalConfig,
  PortalDeployError,
  portalConfigFrom,
} from './portal-contract.cjs';

/** `custom.portal` in serverless.yml. */
export interface PortalSettings {
  /** The portal's folder, relative to the service (where its index.html is). */
  source?: string;
  /** The config file's key in the bucket: `config.json`. */
  configFile: string;
  /** The API's custom domain; the portal calls the stack's ServiceEndpoint when it is empty. */
  apiDomainName?: string;
}

/** An AWS SDK v3 client, as far as the upload step uses it. */
export interface SdkClient {
  send(command: { input: object }): Promise<unknown>;
}

export interface PublishedPortal {
  bucket: string;
  uploaded: string[];
  deleted: string[];
  url: string | undefined;
}

export function uploadOrder(keys: readonly string[]): string[];
export function staleKeys(existingKeys: readonly string[], builtKeys: readonly string[]): string[];
export function outputsByKey(
  outputs?: readonly { OutputKey?: string; OutputValue?: string }[],
): Record<string, string | undefined>;
export function publishPortal(options: {
  cloudFormation: SdkClient;
  s3: SdkClient;
  stackName: string;
  region: string;
  buildDir: string;
  settings: PortalSettings;
  log?: (line: string) => void;
}): Promise<PublishedPortal>;
export function deployPortal(
  serverless: unknown,
  log?: { info(line: string): void; notice(line: string): void },
): Promise<void>;
