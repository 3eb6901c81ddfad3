import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';

const REPOSITORY_DIR = join(import.meta.dirname, '..', '..', '..', '..', '..');
const HANDLERS_DIR = join(import.meta.dirname, '..', '..', '..', 'src', 'handlers');
const fileOf = (handler: string) => join(HANDLERS_DIR, `${handler}.ts`);

const DEVICE_ROUTE_HANDLERS = [
  'register-device',
  'list-devices',
  'get-device',
  'update-device-threshold',
  'delete-device',
  'issue-device-token',
  'count-devices',
];

// Imports each handler module as a cold start does, and prints how each import ended. A config value
// that failed to read is not kept, so every handler that needs it meets the failure on its own.
const IMPORT_EACH = `
(async () => {
  const outcomes = {};
  for (const file of JSON.parse(process.env.HANDLER_FILES)) {
    outcomes[file] = await import(file).then(() => 'loaded', (error) => error.name + ': ' + error.message);
  }
  process.stdout.write('\\n' + JSON.stringify(outcomes));
})();
`;

/** How the cold start of each handler ends in a fresh Node.js process, without API_TABLE_NAME. */
async function coldStartsWithoutTableName(handlers: string[]): Promise<Record<string, string | undefined>> {
  const { API_TABLE_NAME: _omitted, ...env } = process.env;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', IMPORT_EACH], {
    cwd: REPOSITORY_DIR,
    env: { ...env, HANDLER_FILES: JSON.stringify(handlers.map(fileOf)) },
  });
  const outcomes: Record<string, string> = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
  return Object.fromEntries(handlers.map((handler) => [handler, outcomes[fileOf(handler)]]));
}

describe('handler cold starts', function () {
  this.timeout(60_000);

  it('fail for every device route with an error that names a missing API_TABLE_NAME', async () => {
    const outcomes = await coldStartsWithoutTableName(DEVICE_ROUTE_HANDLERS);

    for (const handler of DEVICE_ROUTE_HANDLERS) {
      expect(outcomes[handler], handler).to.equal(
        'ConfigError: Environment variable API_TABLE_NAME is required but not set',
      );
    }
  });

  it('succeed for GET /me, which reads no table and is not given its name', async () => {
    expect(await coldStartsWithoutTableName(['get-profile'])).to.deep.equal({ 'get-profile': 'loaded' });
  });
});
