/** The variables serverless.yml gives the functions, with the tests' own values. */
export const ENVIRONMENT = {
  CLICKS_DELIVERY_STREAM_NAME: 'clicks-stream',
  PRODUCTS_TABLE_NAME: 'products-table',
  AWS_REGION: 'us-east-1',
};

/**
 * Sets ENVIRONMENT from the enclosing describe's first before hook (so that handlers loaded by the
 * suite's own before hook find their configuration at cold start) and restores the variables after it.
 */
export function functionEnvironmentInThisSuite(): void {
  const saved = Object.fromEntries(Object.keys(ENVIRONMENT).map((name) => [name, process.env[name]]));
  before(() => {
    Object.assign(process.env, ENVIRONMENT);
  });
  after(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
}
