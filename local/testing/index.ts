/**
 * The local cloud for tests and benchmarks, `@serverless-patterns/local/testing`: start and stop a
 * cloud, read its description (cloud.json), get SDK clients configured for it, sign people up, and
 * the set-up every integration suite shares. For test/ folders and bench/ only: product code never
 * imports it (the local cloud is found through the SDK's AWS_ENDPOINT_URL_<SERVICE> variables).
 */
export {
  type CloudDescription,
  cloudDescriptionSchema,
  readCloudDescription,
} from '../src/cloud/cloud-description';
export { type CloudProcess, removeBundles, startCloudProcess } from '../src/cloud/cloud-process';
export {
  concurrencyFrom,
  type ExecutionEnvironment,
  ExecutionEnvironmentPool,
} from '../src/cloud/offline-fixes/execution-environments';
export { type AwsClients, awsClients, clientConfig, serviceOf } from './clients';
export { type DeliveredLine, deliveredLines } from './delivered-lines';
export { eventually, type TestCloud, useLocalCloud, willUseLocalCloud } from './harness';
export { type People, type Person, people } from './people';
export { type LocalCloudSuite, localCloudSuite } from './suite';
