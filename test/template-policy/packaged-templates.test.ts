import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { type CloudFormationTemplate, checkTemplate, formatViolations } from './check-template';

const SERVICES = ['foundation', 'api', 'catalog', 'clickstream', 'image-pipeline', 'ops'] as const;
const ROOT = join(import.meta.dirname, '..', '..');

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

describe('packaged CloudFormation templates', function () {
  // Packaging all five services through compose takes about half a minute on two cores.
  this.timeout(300_000);

  before(async () => {
    await promisify(execFile)('npm', ['run', 'package', '--', '--stage', 'policy'], { cwd: ROOT });
  });

  for (const service of SERVICES) {
    it(`${service} meets every template policy`, async () => {
      const build = join(ROOT, 'services', service, '.serverless');
      const template = await readJson<CloudFormationTemplate>(
        join(build, 'cloudformation-template-update-stack.json'),
      );
      const state = await readJson<{ service: { provider: Record<string, unknown> } }>(
        join(build, 'serverless-state.json'),
      );

      const violations = checkTemplate(template, {
        serverlessProvider: state.service.provider,
        // Every alarm notifies the operations alert topic of the stage, which the foundation stack exports.
        alertTopicExport: 'serverless-patterns-foundation-policy-OperationsAlertTopicArn',
      });

      expect(violations, formatViolations(violations)).to.deep.equal([]);
    });
  }
});
