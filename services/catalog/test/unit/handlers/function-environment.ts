import { variablesInThisSuite } from '@serverless-patterns/shared/testing';

/** The variables serverless.yml gives the catalog's functions, with the tests' own values, and Lambda's own. */
export const FUNCTION_ENVIRONMENT = {
  CATALOG_TABLE_NAME: 'catalog-table',
  GLUE_DATABASE_NAME: 'lake_db',
  INDEX_BUCKET_NAME: 'index-bucket',
  LAKE_BUCKET_NAME: 'lake-bucket',
  QUERIES_TABLE_NAME: 'queries-table',
  QUERY_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/queries',
  QUERY_MAX_BYTES_SCANNED: '1000000',
  QUERY_MAX_ROWS: '1000',
  QUERY_TIMEOUT_SECONDS: '5',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

/** The environment above in the enclosing describe (before its handlers load), the previous values after. */
export function inFunctionEnvironment(): void {
  variablesInThisSuite(FUNCTION_ENVIRONMENT);
}
