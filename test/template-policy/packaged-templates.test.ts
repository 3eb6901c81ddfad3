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

  // The talk's delivery practices, as the packaged stage declares them (issue 16).
  const built = (service: string) => join(ROOT, 'services', service, '.serverless');
  const resourcesOf = async (service: string) =>
    (
      await readJson<CloudFormationTemplate>(
        join(built(service), 'cloudformation-template-update-stack.json'),
      )
    ).Resources ?? {};

  it('prunes every service’s old function and layer versions after a deploy, keeping the newest 3', async () => {
    for (const service of SERVICES.filter((name) => name !== 'foundation')) {
      const state = await readJson<{ service: { custom: { prune?: unknown }; plugins: string[] } }>(
        join(built(service), 'serverless-state.json'),
      );
      expect(state.service.plugins, service).to.include('serverless-prune-plugin');
      expect(state.service.custom.prune, service).to.deep.equal({
        automatic: true,
        number: 3,
        includeLayers: true,
      });
    }
  });

  it('keeps no provisioned concurrency on the api’s Live aliases unless the stage asks for it', async () => {
    const aliases = Object.values(await resourcesOf('api')).filter(
      (resource) => resource.Type === 'AWS::Lambda::Alias' && resource.Properties?.Name === 'Live',
    );
    expect(aliases).to.not.be.empty;
    for (const alias of aliases)
      expect(alias.Properties).to.not.have.property('ProvisionedConcurrencyConfig');
  });

  it('samples the profile reads and the telemetry ingest less than the account’s default rule', async () => {
    const rules = Object.values(await resourcesOf('foundation'))
      .filter((resource) => resource.Type === 'AWS::XRay::SamplingRule')
      .map((resource) => resource.Properties?.SamplingRule as Record<string, unknown>);
    expect(
      rules.map(({ RuleName, HTTPMethod, URLPath, FixedRate }) => [RuleName, HTTPMethod, URLPath, FixedRate]),
    ).to.deep.equal([
      ['sp-policy-profile-reads', 'GET', '*/me*', 0.01],
      ['sp-policy-telemetry-ingest', 'POST', '*/telemetry/*', 0.001],
    ]);
  });
});
