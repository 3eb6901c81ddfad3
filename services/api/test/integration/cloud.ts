import { serviceOf, type TestCloud, useLocalCloud } from '@serverless-patterns/local/testing';

// The run's local cloud (@serverless-patterns/local/testing), and the api service as it runs there.

export { type TestCloud, useLocalCloud };

/** The api service as the local cloud runs it: its URL, Lambda endpoint, functions and resources. */
export function apiService(cloud: TestCloud) {
  return serviceOf(cloud.description, 'api');
}
