import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import type { CloudFormationTemplate } from './check-template';

const ROOT = join(import.meta.dirname, '..', '..');
const OSLS = join(ROOT, 'node_modules', 'osls', 'bin', 'serverless.js');

// Provisioned concurrency, the current answer to cold starts, on the api's Live aliases when the stage
// asks for it (--param liveProvisionedConcurrency=N); packaged-templates.test.ts checks the default, none.
describe('the api’s Live aliases with provisioned concurrency', function () {
  // One packaging of the api: about half a minute on two quiet cores.
  this.timeout(600_000);
  let template: CloudFormationTemplate;

  before(async () => {
    const output = await mkdtemp(join(tmpdir(), 'api-live-aliases-'));
    try {
      await promisify(execFile)(
        process.execPath,
        [
          OSLS,
          'package',
          '--stage',
          'policy',
          '--package',
          output,
          '--param',
          'liveProvisionedConcurrency=2',
        ],
        {
          cwd: join(ROOT, 'services', 'api'),
          env: { ...process.env, AWS_ACCESS_KEY_ID: 'package-only', AWS_SECRET_ACCESS_KEY: 'package-only' },
          maxBuffer: 16 * 1024 * 1024,
        },
      );
      template = JSON.parse(
        await readFile(join(output, 'cloudformation-template-update-stack.json'), 'utf8'),
      );
    } finally {
      await rm(output, { recursive: true, force: true });
    }
  });

  it('keeps that many environments initialised on every route function’s Live alias, and on no function', () => {
    const resources = Object.values(template.Resources ?? {});
    const aliases = resources.filter(
      (resource) => resource.Type === 'AWS::Lambda::Alias' && resource.Properties?.Name === 'Live',
    );

    expect(aliases).to.have.length.greaterThan(5);
    for (const alias of aliases)
      expect(alias.Properties?.ProvisionedConcurrencyConfig).to.deep.equal({
        ProvisionedConcurrentExecutions: 2,
      });
    const functions = resources.filter((resource) => resource.Type === 'AWS::Lambda::Function');
    for (const fn of functions) expect(fn.Properties).to.not.have.property('ProvisionedConcurrencyConfig');
  });
});
