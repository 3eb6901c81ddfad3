import { expect } from 'chai';
import { bundled, declaredFunctions, type FunctionDeclaration, runInNode } from './bundled-functions';

// sharp is kept out of every bundle and reaches Lambda only through the layer of the functions that
// decode images (serverless.yml, *sharpFunction). A function without the layer whose bundle loads
// sharp when it starts would fail in AWS with "Cannot find module 'sharp'", while locally
// node_modules hides the mistake. So each handler is bundled as serverless-esbuild bundles it and
// loaded where sharp cannot be found: it must start, or need sharp only if it has the layer.

/** Whether loading the bundle of `fn` needs sharp. */
async function loadsSharpAtStart(fn: Pick<FunctionDeclaration, 'name' | 'handlerFile'>): Promise<boolean> {
  const outfile = await bundled(fn);
  // Loaded as Lambda loads it, with a resolver that finds no sharp, as in a function without the layer.
  const probe = `const Module = require('node:module');
    const resolve = Module._resolveFilename;
    Module._resolveFilename = function (request, ...rest) {
      if (request === 'sharp') throw new Error('NO SHARP HERE');
      return resolve.call(this, request, ...rest);
    };
    try { require(${JSON.stringify(outfile)}); console.log('started'); }
    catch (error) { console.log(String(error.message).includes('NO SHARP HERE') ? 'needs sharp' : 'started'); }`;
  return runInNode(probe).endsWith('needs sharp');
}

describe('the sharp layer', function () {
  this.timeout(60_000);
  let functions: FunctionDeclaration[];

  before(async () => {
    functions = await declaredFunctions();
  });

  it('reads every function of serverless.yml, three of them with the layer', () => {
    expect(functions.length).to.be.greaterThan(10);
    expect(functions.filter((fn) => fn.hasSharpLayer).map((fn) => fn.name)).to.have.members([
      'extractMetadata',
      'detectLabels',
      'makeThumbnails',
    ]);
  });

  it('can tell a bundle that loads sharp at start-up (the decoding module itself does)', async () => {
    const decoding = { name: 'image-processing', handlerFile: 'src/core/image-processing.ts' };
    expect(await loadsSharpAtStart(decoding)).to.equal(true);
  });

  it('is needed at start-up by no function without the layer', async () => {
    const withoutLayer = functions.filter((fn) => !fn.hasSharpLayer);
    const needing: string[] = [];
    for (const fn of withoutLayer) {
      if (await loadsSharpAtStart(fn)) needing.push(fn.name);
    }
    expect(needing, 'these functions load sharp but have no sharp layer').to.deep.equal([]);
  });
});
