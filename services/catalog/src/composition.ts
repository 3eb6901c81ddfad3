import { randomUUID } from 'node:crypto';
import { logger } from '@serverless-patterns/shared/observability';
import { createCatalogTable } from './adapters/catalog-table';
import { createDuckDbEngine } from './adapters/duckdb-engine';
import { createGlueCatalog } from './adapters/glue-catalog';
import { createIndexSnapshots } from './adapters/index-snapshots';
import { createJobExecutions } from './adapters/job-executions';
import { createJobObjects } from './adapters/job-objects';
import { createJobsTable } from './adapters/jobs-table';
import { createLakeObjects, createQueryObjects } from './adapters/lake-bucket';
import { createParquetWriter } from './adapters/parquet-writer';
import { createQueriesTable } from './adapters/queries-table';
import { createQueryQueue } from './adapters/query-queue';
import { createRegisteredObjects } from './adapters/registered-objects';
import { config } from './config';
import { createCatalogIndexer, createCatalogSearch } from './core/catalog-indexer';
import { createCatalogRegistrar } from './core/catalog-registrar';
import { createCompactionJob } from './core/jobs/compaction-job';
import { createJobFailureRecorder, createJobReader, createJobStarter } from './core/jobs/job-runner';
import { createJobSteps } from './core/jobs/job-steps';
import { mortgageJob } from './core/jobs/mortgage-job';
import { wordCountJob } from './core/jobs/word-count-job';
import { createQueryReader, createQueryRunner, createQueryStarter } from './core/lake-queries';

// The service's parts, built from its config, one function per use case. Each handler calls its own
// once, at module scope: clients and adapters are made at cold start and reused by every invocation,
// and a function reads only the settings of what it uses.

const clock = () => new Date();

export function catalogRegistrar() {
  return createCatalogRegistrar({
    catalog: createCatalogTable({ tableName: config.catalogTableName }),
    objects: createLakeObjects(),
    schemas: createDuckDbEngine(config.engine),
    tables: lakeTables(),
    clock,
    log: logger,
  });
}

const indexSnapshots = () =>
  createIndexSnapshots({ bucket: config.indexBucketName, tableName: config.catalogTableName });

export function catalogIndexer() {
  return createCatalogIndexer({ snapshots: indexSnapshots() });
}

export function catalogSearch() {
  return createCatalogSearch({ snapshots: indexSnapshots() });
}

const queryLimits = () => config.queryLimits;
const queryObjects = () =>
  createQueryObjects({ resultsBucket: () => config.lakeBucketName, cacheBytes: config.queryCacheBytes });
const lakeTables = () => createGlueCatalog({ databaseName: config.glueDatabaseName });

export function queryStarter() {
  return createQueryStarter({
    engine: createDuckDbEngine(config.engine),
    catalog: lakeTables(),
    objects: queryObjects(),
    store: createQueriesTable({ tableName: config.queriesTableName }),
    queue: createQueryQueue({ queueUrl: config.queryQueueUrl }),
    limits: queryLimits(),
    clock,
    newId: randomUUID,
  });
}

export function queryRunner() {
  return createQueryRunner({
    engine: createDuckDbEngine(config.engine),
    catalog: lakeTables(),
    objects: queryObjects(),
    store: createQueriesTable({ tableName: config.queriesTableName }),
    limits: queryLimits(),
    clock,
    log: logger,
  });
}

export function queryReader() {
  return createQueryReader({
    store: createQueriesTable({ tableName: config.queriesTableName }),
    objects: createQueryObjects({ resultsBucket: () => config.lakeBucketName, cacheBytes: 0 }),
    limits: queryLimits(),
    clock,
  });
}

const jobsTable = () => createJobsTable({ tableName: config.catalogTableName });
const jobExecutions = () => createJobExecutions({ stateMachineArn: () => config.jobStateMachineArn });

export function jobStarter() {
  return createJobStarter({ jobs: jobsTable(), executions: jobExecutions(), clock, newId: randomUUID });
}

export function jobReader() {
  return createJobReader({ jobs: jobsTable(), executions: jobExecutions() });
}

export function jobFailureRecorder() {
  return createJobFailureRecorder({
    jobs: jobsTable(),
    results: createJobObjects({ bucket: () => config.lakeBucketName }),
    clock,
  });
}

/** The splitter, the mappers and the reducer of every job type. */
export function jobSteps() {
  return createJobSteps({
    kinds: {
      'word-count': wordCountJob,
      mortgage: mortgageJob,
      compaction: createCompactionJob({
        parquet: createParquetWriter(config.engine),
        catalog: createRegisteredObjects({
          tableName: config.catalogTableName,
          bucket: () => config.lakeBucketName,
        }),
      }),
    },
    objects: createJobObjects({ bucket: () => config.lakeBucketName }),
    jobs: jobsTable(),
    clock,
    bucket: config.lakeBucketName,
  });
}
