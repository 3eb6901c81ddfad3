import { join } from 'node:path';
import { expect } from 'chai';
import { build } from 'esbuild';

const SERVICE = join(import.meta.dirname, '..', '..', '..');

/**
 * How many modules of the X-Ray SDK the entry points reach through their imports, as esbuild resolves
 * them (the whole graph, the shared and local packages included), without running the entry points:
 * the tools start their command line as soon as they are loaded.
 */
async function xraySdkModulesReachedFrom(entryPoints: readonly string[]): Promise<number> {
  const { metafile } = await build({
    entryPoints: entryPoints.map((entry) => join(SERVICE, entry)),
    absWorkingDir: SERVICE,
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    outdir: 'unused',
    logLevel: 'silent',
  });
  return Object.keys(metafile.inputs).filter((path) => path.includes('aws-xray-sdk-core')).length;
}

describe('the clickstream tools (load generator, log agent)', () => {
  it('load no X-Ray SDK, whose async hooks would tax every put they make', async () => {
    const reached = await xraySdkModulesReachedFrom(['tools/clicks.ts', 'tools/agent.ts']);

    expect(reached).to.equal(0);
  });

  it('are checked by a probe that does see the SDK where the shared clients load it', async () => {
    expect(await xraySdkModulesReachedFrom(['src/composition.ts'])).to.be.greaterThan(0);
  });
});
