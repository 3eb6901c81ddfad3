import { resolve } from 'node:path';
import { expect } from 'chai';
import { FUNCTION_ENVIRONMENT } from './function-environment';

const SERVICE_SOURCE = resolve(__dirname, '../../../src');

/**
 * Loads a handler as a new Lambda environment does: none of the service's modules loaded yet, even when
 * an earlier test loaded them with their configuration (a module and its settings are read once).
 */
function loadAtColdStart(handler: string): unknown {
  for (const file of Object.keys(require.cache)) {
    if (file.startsWith(SERVICE_SOURCE)) delete require.cache[file];
  }
  return require(`../../../src/handlers/${handler}`);
}

/** Each function and the variables it reads at cold start (serverless.yml gives it these). */
const READ_AT_COLD_START: Record<string, string[]> = {
  'register-object': ['CATALOG_TABLE_NAME', 'GLUE_DATABASE_NAME'],
  'index-catalog': ['CATALOG_TABLE_NAME', 'INDEX_BUCKET_NAME'],
  'search-catalog': ['CATALOG_TABLE_NAME', 'INDEX_BUCKET_NAME'],
  'start-query': ['GLUE_DATABASE_NAME', 'QUERIES_TABLE_NAME', 'QUERY_QUEUE_URL', 'QUERY_MAX_BYTES_SCANNED'],
  'run-query': ['GLUE_DATABASE_NAME', 'QUERIES_TABLE_NAME', 'QUERY_MAX_ROWS', 'QUERY_TIMEOUT_SECONDS'],
  'get-query': ['QUERIES_TABLE_NAME', 'QUERY_MAX_BYTES_SCANNED'],
};

describe('catalog functions at cold start', () => {
  let previous: NodeJS.ProcessEnv = {};
  before(() => {
    previous = { ...process.env };
  });
  after(() => {
    process.env = previous;
  });

  for (const [handler, variables] of Object.entries(READ_AT_COLD_START)) {
    for (const variable of variables) {
      it(`${handler} fails with an error that names a missing ${variable}`, () => {
        Object.assign(process.env, FUNCTION_ENVIRONMENT);
        delete process.env[variable];

        expect(() => loadAtColdStart(handler), 'the handler module loaded without its configuration')
          .to.throw(Error, variable)
          .with.property('name', 'ConfigError');
      });
    }
  }
});
