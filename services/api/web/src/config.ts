import type { PortalConfig } from '@serverless-patterns/serverless-plugin/portal-contract.cjs';

// The portal's settings, served beside it as /config.json (by the front door locally, from S3 in
// AWS): one contract with the deploy step and the front door that write it.
export type { PortalConfig };

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const REQUIRED = ['region', 'userPoolId', 'userPoolClientId'] as const;

export async function loadConfig(): Promise<PortalConfig> {
  let response: Response;
  try {
    response = await fetch('/config.json', { cache: 'no-store' });
  } catch (cause) {
    throw new ConfigError('The portal cannot reach its server. Check your connection.', { cause });
  }
  if (!response.ok) throw new ConfigError(`The portal's settings could not be loaded (${response.status}).`);
  const value = (await response.json().catch(() => undefined)) as Partial<PortalConfig> | undefined;
  const missing = REQUIRED.filter((key) => typeof value?.[key] !== 'string' || value[key] === '');
  if (value === undefined || missing.length > 0) {
    throw new ConfigError(`The portal's settings are incomplete (missing ${missing.join(', ')}).`);
  }
  const region = value.region as string;
  return {
    region,
    userPoolId: value.userPoolId as string,
    userPoolClientId: value.userPoolClientId as string,
    cognitoEndpoint: value.cognitoEndpoint || `https://cognito-idp.${region}.amazonaws.com/`,
    apiBaseUrl: (value.apiBaseUrl ?? '').replace(/\/+$/, ''),
    ...(value.identityPool === undefined ? {} : { identityPool: value.identityPool }),
  };
}
