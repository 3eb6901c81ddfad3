import { defineConfig, readInteger, readString } from '@serverless-patterns/shared/config';

/** Lambda's vCPU share grows with memory: one full vCPU at 1,769 MB. https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html */
const MB_PER_VCPU = 1769;

/**
 * Every setting of the service, each read when the composition first uses it (at cold start), so
 * that serverless.yml gives each function only the variables of what it uses.
 */
export const config = defineConfig({
  catalogTableName: () => readString('CATALOG_TABLE_NAME'),
  lakeBucketName: () => readString('LAKE_BUCKET_NAME'),
  glueDatabaseName: () => readString('GLUE_DATABASE_NAME'),
  indexBucketName: () => readString('INDEX_BUCKET_NAME'),
  queriesTableName: () => readString('QUERIES_TABLE_NAME'),
  queryQueueUrl: () => readString('QUERY_QUEUE_URL'),
  jobStateMachineArn: () => readString('JOB_STATE_MACHINE_ARN'),
  /** Stage parameters queryMaxBytesScanned, queryMaxRows and queryTimeoutSeconds. */
  queryLimits: () => ({
    maxBytesScanned: readInteger('QUERY_MAX_BYTES_SCANNED', { min: 1 }),
    maxRows: readInteger('QUERY_MAX_ROWS', { min: 1, max: 10_000_000 }),
    timeoutSeconds: readInteger('QUERY_TIMEOUT_SECONDS', { min: 1, max: 840 }),
  }),
  /** Local copies of the lake's objects kept in /tmp between queries of a warm function. */
  queryCacheBytes: () => readInteger('QUERY_CACHE_MB', { min: 0, default: 1024 }) * 1024 * 1024,
  /**
   * DuckDB gets half of the function's memory (Lambda sets AWS_LAMBDA_FUNCTION_MEMORY_SIZE) and a
   * thread per vCPU the function has.
   */
  engine: () => {
    const memoryMb = readInteger('AWS_LAMBDA_FUNCTION_MEMORY_SIZE', { min: 128, default: 1024 });
    return {
      memoryLimitMb: Math.floor(memoryMb / 2),
      threads: Math.max(1, Math.round(memoryMb / MB_PER_VCPU)),
    };
  },
});
