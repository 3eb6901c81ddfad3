import { variablesInThisSuite } from '@serverless-patterns/shared/testing';

/** The variables serverless.yml gives the functions, with the tests' own values. */
export const ENVIRONMENT = {
  CLICKS_DELIVERY_STREAM_NAME: 'clicks-stream',
  PRODUCTS_TABLE_NAME: 'products-table',
  TELEMETRY_STREAM_NAME: 'telemetry-stream',
  AWS_REGION: 'us-east-1',
};

/** ENVIRONMENT in the enclosing describe (before its handlers load), the previous values after. */
export function functionEnvironmentInThisSuite(): void {
  variablesInThisSuite(ENVIRONMENT);
}
