import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT } from '../../src/cloud/layout';
import { FIXTURE, fixtureSuite } from './support';

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a CLI of local/src/cli against the suite's cloud, with `input` on its standard input. */
function run(cli: string, args: string[], input?: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'local', 'src', 'cli', `${cli}.ts`), ...args],
      { cwd: REPO_ROOT, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(input ?? '');
  });
}

describe('npm run invoke and npm run logs, on the local cloud', function () {
  this.timeout(120_000);
  const fixture = fixtureSuite();
  // The suite's cloud keeps its state (cloud.json, logs, metrics) in a temporary folder.
  const stateDir = () => dirname(dirname(fixture.cloud.metricsFile));

  it('invokes a function with an event from standard input, printing its answer and its log lines', async () => {
    const { code, stdout, stderr } = await run(
      'invoke',
      [FIXTURE, 'answer', '--event', '-', '--state-dir', stateDir()],
      '{"from":"the test"}',
    );

    expect(code, stderr).to.equal(0);
    const answer = JSON.parse(stdout) as { version: string; environmentId: string };
    expect(answer.version).to.be.a('string');
    expect(stderr).to.include(`answered from ${answer.environmentId}`);
  });

  it("prints a function's lines from the logs, and none of another function's", async () => {
    await run('invoke', [FIXTURE, 'answer', '--state-dir', stateDir()]);

    const answer = await run('logs', [FIXTURE, 'answer', '--state-dir', stateDir()]);
    const other = await run('logs', [FIXTURE, 'recordS3', '--state-dir', stateDir()]);

    expect(answer.code, answer.stderr).to.equal(0);
    expect(answer.stdout).to.match(/^\d{4}-\d\d-\d\dT.* answered from /m);
    expect(other.stdout).not.to.include('answered from');
  });

  it('names the functions a service has when asked for one it does not', async () => {
    const { code, stderr } = await run('invoke', [FIXTURE, 'noSuchFunction', '--state-dir', stateDir()]);

    expect(code).to.equal(2);
    expect(stderr).to.match(/No function 'noSuchFunction' in fixture-service; it has: .*answer/);
  });
});
