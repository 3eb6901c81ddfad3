import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { answerOf, fixtureSuite, uniqueId, waitFor } from './support';

const SOURCE = join(import.meta.dirname, '..', 'fixture-service', 'src', 'answer.ts');
const COMMITTED = "export const VERSION = 'as committed';";

// As SAM Local's warm containers: a saved change to a function's source is rebuilt (serverless-esbuild's
// watcher in serverless-offline) and runs from the next invocation on, in new execution environments.
describe('local cloud: hot reload', function () {
  // A first rebuild bundles every function of the service (the start-up ran the packaged bundles).
  this.timeout(120_000);
  const fixture = fixtureSuite();
  let committed: string | undefined;

  before(async () => {
    committed = await readFile(SOURCE, 'utf8');
    expect(committed, 'the fixture answers with its committed version').to.include(COMMITTED);
  });

  after(async () => {
    if (committed === undefined) return;
    await writeFile(SOURCE, committed);
    // The suites after this one run the code as committed.
    await waitFor(
      'the committed code again',
      () => answerOf(fixture),
      (answer) => answer.version === 'as committed',
      60_000,
    );
  });

  it('runs a saved change to a handler within seconds, never in a warm environment of the old code', async () => {
    const warm = await answerOf(fixture);
    expect(warm.version).to.equal('as committed');
    const version = uniqueId('reloaded');

    const savedAt = Date.now();
    await writeFile(SOURCE, (committed as string).replace(COMMITTED, `export const VERSION = '${version}';`));
    await waitFor(
      'the saved version',
      () => answerOf(fixture),
      (answer) => answer.version === version,
      60_000,
    );
    const liveAfterMs = Date.now() - savedAt;
    const after = await Promise.all(Array.from({ length: 4 }, () => answerOf(fixture)));

    expect(after.map((answer) => answer.version)).to.deep.equal(Array(4).fill(version));
    expect(after.map((answer) => answer.environmentId)).to.not.include(warm.environmentId);
    console.log(`      (live ${(liveAfterMs / 1000).toFixed(1)} s after the save)`);
  });
});
