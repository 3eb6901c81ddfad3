import { expect } from 'chai';
import type { CloudFormationResource } from './check-template';
import { packagedResources } from './package-service';

// Provisioned concurrency, the current answer to cold starts, on the api's Live aliases when the stage
// asks for it (--param liveProvisionedConcurrency=N); packaged-templates.test.ts checks the default, none.
describe('the api’s Live aliases with provisioned concurrency', function () {
  // One packaging of the api: about half a minute on two quiet cores.
  this.timeout(600_000);
  let resources: CloudFormationResource[];

  before(async () => {
    resources = Object.values(await packagedResources('api', { liveProvisionedConcurrency: '2' }));
  });

  it('keeps that many environments initialised on every route function’s Live alias, and on no function', () => {
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
