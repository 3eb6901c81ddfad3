// Types of portal.cjs, for the TypeScript tests that import it.

/** `custom.portal` in serverless.yml. */
export interface PortalSettings {
  /** The portal's folder, relative to the service (where its index.html is). */
  source?: string;
  /** The config file's key in the bucket: `config.json`. */
  configFile: string;
  /** The API's custom domain; the portal calls the stack's ServiceEndpoint when it is empty. */
  apiDomainName?: string;
}

/** What the portal reads from its config file (services/api/web/src/config.ts). */
export interface PortalConfig {
  region: string;
  userPoolId: string;
  userPoolClientId: string;
  cognitoEndpoint: string;
  apiBaseUrl: string;
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

export class PortalDeployError extends Error {}

export function contentTypeOf(key: string): string;
export function cacheControlOf(key: string): string;
export function uploadOrder(keys: readonly string[]): string[];
export function staleKeys(existingKeys: readonly string[], builtKeys: readonly string[]): string[];
export function outputsByKey(
  outputs?: readonly { OutputKey?: string; OutputValue?: string }[],
): Record<string, string | undefined>;
export function portalConfigFrom(
  outputs: Record<string, string | undefined>,
  options: { region: string; apiDomainName?: string },
): PortalConfig;
export function buildPortal(root: string, outDir: string): Promise<void>;
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
