import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';

const SERVICE = join(import.meta.dirname, '..', '..', '..');

/** How many modules of the X-Ray SDK a fresh Node process holds after importing `modules`. */
async function xraySdkModulesAfterImporting(modules: readonly string[]): Promise<number> {
  const script = [
    "import { createRequire } from 'node:module';",
    ...modules.map((module) => `await import(${JSON.stringify(join(SERVICE, module))});`),
    'const loaded = Object.keys(createRequire(import.meta.url).cache);',
    "console.log(loaded.filter((path) => path.includes('aws-xray-sdk-core')).length);",
  ].join('\n');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: SERVICE },
  );
  return Number(stdout.trim());
}

describe('the clickstream tools (load generator, log agent)', () => {
  it('load no X-Ray SDK, whose async hooks would tax every put they make', async () => {
    // Arrange: what clicks.ts and agent.ts import from the service, besides the command line.
    const modules = [
      'src/adapters/clicks-delivery-stream.ts',
      'src/core/record-putter.ts',
      'tools/load-generator.ts',
      'tools/log-agent/log-agent.ts',
      'tools/shopping-sessions.ts',
      'tools/targets.ts',
      'tools/thermostats.ts',
    ];

    // Act
    const loaded = await xraySdkModulesAfterImporting(modules);

    // Assess
    expect(loaded).to.equal(0);
  });

  it('are checked by a probe that does see the SDK where the shared clients load it', async () => {
    expect(await xraySdkModulesAfterImporting(['src/composition.ts'])).to.be.greaterThan(0);
  });
});
