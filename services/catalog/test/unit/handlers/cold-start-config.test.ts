import { resolve } from 'node:path';
import { expect } from 'chai';

const SERVICE_SOURCE = resolve(__dirname, '../../../src');

/**
 * Loads the handler as a new Lambda environment does: none of the service's modules loaded yet, even when
 * an earlier test loaded them with their configuration (a module and its settings are read once).
 */
function loadAtColdStart(): unknown {
  for (const file of Object.keys(require.cache)) {
    if (file.startsWith(SERVICE_SOURCE)) delete require.cache[file];
  }
  return require('../../../src/handlers/register-object');
}

describe('registerObject cold start', () => {
  it('fails with an error that names a missing environment variable', () => {
    const saved = process.env.CATALOG_TABLE_NAME;
    delete process.env.CATALOG_TABLE_NAME;
    try {
      expect(loadAtColdStart, 'the handler module loaded without its configuration')
        .to.throw(Error, 'CATALOG_TABLE_NAME')
        .with.property('name', 'ConfigError');
    } finally {
      if (saved !== undefined) process.env.CATALOG_TABLE_NAME = saved;
    }
  });
});
