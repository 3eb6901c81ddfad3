import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { expect } from 'chai';
import { REPO_ROOT } from '../../src/cloud/layout';
import { NODE_RUNTIME_BASE_MB } from '../../src/cloud/offline-fixes/invocation-report';
import { invocationsFile, readInvocationRecords } from '../../src/lambda/invocation-records';
import type { Rightsizing } from '../../src/rightsize/rightsize';
import { FIXTURE, fixtureSuite, waitFor } from './support';

/** npm run rightsize against the suite's cloud. */
function rightsize(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'local', 'src', 'cli', 'rightsize.ts'), ...args],
      { cwd: REPO_ROOT, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('npm run rightsize, on the local cloud', function () {
  this.timeout(120_000);
  const fixture = fixtureSuite();
  // The suite's cloud keeps its state (cloud.json, logs, metrics) in a temporary folder.
  const stateDir = () => dirname(dirname(fixture.cloud.metricsFile));
  const recordsOf = async (functionName: string) =>
    (await readInvocationRecords(invocationsFile(dirname(fixture.cloud.metricsFile)))).filter(
      (record) => record.functionName === functionName,
    );

  it('prints what the local cloud recorded of each invocation: how many, peak memory, the configured size', async () => {
    // Prepare: other suites invoke `answer` too; this one counts from what is recorded already.
    const functionName = fixture.functionName('answer');
    const before = (await recordsOf(functionName)).length;
    const INVOCATIONS = 3;

    // Act
    for (let i = 0; i < INVOCATIONS; i++)
      await fixture.aws.lambda(FIXTURE).send(new InvokeCommand({ FunctionName: functionName }));
    // Each REPORT line reaches the records shortly after the function's answer.
    const records = await waitFor(
      'the invocations recorded',
      () => recordsOf(functionName),
      (recorded) => recorded.length >= before + INVOCATIONS,
    );
    const json = await rightsize(['--json', '--state-dir', stateDir()]);
    const table = await rightsize(['--state-dir', stateDir()]);

    // Assess
    expect(json.code, json.stderr).to.equal(0);
    const { rows } = JSON.parse(json.stdout) as { rows: Rightsizing[] };
    const answer = rows.find((row) => row.fn.service === FIXTURE && row.fn.key === 'answer');
    expect(answer, json.stdout).to.not.equal(undefined);
    // What every fixture function is given: serverless.common.yml's provider settings.
    expect(answer?.fn).to.deep.include({ name: functionName, memorySizeMb: 256, architecture: 'arm64' });
    expect(answer?.invocations).to.be.at.least(records.length);
    expect(answer?.peakMemoryMb).to.be.above(NODE_RUNTIME_BASE_MB);
    expect(answer?.peakMemoryMb).to.be.below(256);
    expect(answer?.p50DurationMs).to.be.at.most(answer?.p99DurationMs ?? 0);
    expect(answer?.recommendedMemoryMb).to.be.within(128, 10_240);
    expect(answer?.costPerMillion.current).to.be.above(0.2);
    expect(records.at(-1)).to.deep.include({ service: FIXTURE, functionKey: 'answer', memorySizeMb: 256 });

    expect(table.code, table.stderr).to.equal(0);
    expect(table.stdout).to.match(
      new RegExp(`^${FIXTURE}\\s+answer\\s+arm64\\s+${answer?.invocations}\\s`, 'm'),
    );
    expect(table.stdout).to.include('AWS Lambda Power Tuning');
  });

  it('writes the REPORT line of each invocation to the function logs, as Lambda does', async () => {
    const functionName = fixture.functionName('answer');
    const [latest] = (await recordsOf(functionName)).slice(-1);

    const logs = await new Promise<string>((resolve) =>
      execFile(
        process.execPath,
        [
          '--import',
          'tsx',
          join(REPO_ROOT, 'local', 'src', 'cli', 'logs.ts'),
          FIXTURE,
          'answer',
          '--state-dir',
          stateDir(),
        ],
        { cwd: REPO_ROOT, timeout: 60_000 },
        (_, stdout) => resolve(stdout),
      ),
    );

    expect(logs).to.include(`REPORT RequestId: ${latest?.requestId}\tDuration: `);
  });
});
