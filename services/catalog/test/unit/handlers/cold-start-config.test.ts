import { expect } from 'chai';

describe('registerObject cold start', () => {
  it('fails with an error that names a missing environment variable', async () => {
    const saved = process.env.CATALOG_TABLE_NAME;
    delete process.env.CATALOG_TABLE_NAME;
    try {
      const loading = import('../../../src/handlers/register-object');

      await loading.then(
        () => expect.fail('the handler module loaded without its configuration'),
        (error: Error) => {
          expect(error.name).to.equal('ConfigError');
          expect(error.message).to.contain('CATALOG_TABLE_NAME');
        },
      );
    } finally {
      if (saved !== undefined) process.env.CATALOG_TABLE_NAME = saved;
    }
  });
});
