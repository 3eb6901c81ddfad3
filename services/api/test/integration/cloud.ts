// The local cloud of local/test/harness.ts, seen through the parts these suites read.
//
// services/api's tsconfig does not reference the local project, so a static import of the harness
// fails `tsc -b services/api` (TS6059, TS6307). Until that reference is added, the harness is loaded
// at run time through a computed specifier the type-check does not follow (as shared's cognito-local
// test does). It is required, not imported: import() would load a second instance of the module under
// tsx, whose cloud local/test/root-hooks.ts would neither stop nor check.
const HARNESS: string = '../../../../local/test/harness';

export interface ApiCloudDescription {
  portalUrl?: string;
  endpoints: Record<string, string>;
  credentials: { accessKeyId: string; secretAccessKey: string };
  services: Record<
    string,
    {
      apiUrl: string;
      lambdaEndpoint: string;
      functions: Record<string, string>;
      resources: Record<string, string>;
    }
  >;
}

export interface TestCloud {
  description: ApiCloudDescription;
  env: Record<string, string>;
}

export function useLocalCloud(): Promise<TestCloud> {
  const harness = require(HARNESS) as { useLocalCloud(): Promise<TestCloud> };
  return harness.useLocalCloud();
}

/** The api service as the local cloud runs it: its URL, Lambda endpoint, functions and resources. */
export function apiService(cloud: TestCloud) {
  const api = cloud.description.services.api;
  if (api === undefined) throw new Error('the local cloud runs no api service');
  const resource = (logicalId: string): string => {
    const value = api.resources[logicalId];
    if (value === undefined) throw new Error(`the api service has no resource ${logicalId}`);
    return value;
  };
  const functionName = (key: string): string => {
    const value = api.functions[key];
    if (value === undefined) throw new Error(`the api service has no function ${key}`);
    return value;
  };
  return { apiUrl: api.apiUrl, lambdaEndpoint: api.lambdaEndpoint, resource, functionName };
}

/** Endpoint, region and credentials for an SDK client of the local cloud. */
export function clientConfig(cloud: TestCloud, endpoint: string) {
  return { endpoint, region: 'us-east-1', credentials: cloud.description.credentials };
}
