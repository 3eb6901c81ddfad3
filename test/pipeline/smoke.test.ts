import { localCloudSuite } from '@serverless-patterns/local/testing';
import { expect } from 'chai';
import { checks, localStage, smokeTest } from '../../pipeline/smoke-test';

// The pipeline's smoke test, run where it can be run without AWS: the local cloud's description holds the
// same stack outputs as a deployed stage.
describe('pipeline smoke test, against the local cloud', function () {
  this.timeout(120_000);
  const suite = localCloudSuite();

  it('signs a throwaway person up, calls one route of every service with an API, and passes', async () => {
    const lines: string[] = [];

    await smokeTest(localStage(suite.cloud.description), (line) => lines.push(line));

    expect(lines.filter((line) => line.startsWith('ok '))).to.have.length(4);
    expect(lines.join('\n')).to.match(/ok {3}api: GET \/me -> 200/);
  });

  it('fails, naming the route and the answer, when a route does not answer as expected', async () => {
    const stage = localStage(suite.cloud.description);
    const [me] = checks(stage, 'not-a-token');

    const failure = await me?.run().then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(String(failure)).to.match(/GET \/me: 401/);
  });
});
