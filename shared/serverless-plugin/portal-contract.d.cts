// Types of portal-contract.cjs: the portal's contract, for the front door, the portal and the tests.

/** What the portal reads at start from its config file, /config.json (from S3 in AWS, the front door locally). */
export interface PortalConfig {
  region: string;
  userPoolId: string;
  userPoolClientId: string;
  /** The Cognito Identity Provider endpoint; the regional AWS one when empty. */
  cognitoEndpoint: string;
  /** The API's base URL; '' when it is on the portal's own origin, at the root. */
  apiBaseUrl: string;
  /** The identity pool (pattern 1, A and B), when the stack has one (outputs IdentityPoolId...). */
  identityPool?: {
    identityPoolId: string;
    /** The user pool's key in the Logins map: cognito-idp.<region>.amazonaws.com/<pool id>. */
    loginProvider: string;
    /** The Cognito Identity endpoint; the regional AWS one in AWS. */
    endpoint: string;
  };
}

export class PortalDeployError extends Error {}

export const CONTENT_TYPES: Readonly<Record<string, string>>;

export function contentTypeOf(key: string): string;

/** Vite's folder of files named by their content's hash: 'assets/'. */
export const HASHED_ASSETS: string;

/** Immutable for the hashed assets; every other file is checked again before each use. */
export function cacheControlOf(key: string): string;

export function portalConfigFrom(
  outputs: Record<string, string | undefined>,
  options: {
    region: string;
    /** The API's custom domain, if it has one. */
    apiDomainName?: string;
    /** Where the API is served, when the caller knows better than the outputs (the front door). */
    apiBaseUrl?: string;
    /** Default: Cognito's regional endpoint. */
    cognitoEndpoint?: string;
    /** Default: Cognito Identity's regional endpoint. */
    cognitoIdentityEndpoint?: string;
  },
): PortalConfig;

export function buildPortal(root: string, outDir: string): Promise<void>;
