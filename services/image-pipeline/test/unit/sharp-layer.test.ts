import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { build } from 'esbuild';

// sharp is kept out of every bundle and reaches Lambda only through the layer of the functions that
// decode images (serverless.yml, *sharpFunction). A function without the layer whose bundle loads
// sharp when it starts would fail in AWS with "Cannot find module 'sharp'", while locally
// node_modules hides the mistake. So each handler is bundled as serverless-esbuild bundles it and
// loaded where sharp cannot be found: it must start, or need sharp only if it has the layer.

const SERVICE = join(import.meta.dirname, '..', '..');

interface FunctionDeclaration {
  name: string;
  handlerFile: string;
  hasSharpLayer: boolean;
}

/** The functions of serverless.yml, read as text (its CloudFormation tags are not plain YAML). */
function declaredFunctions(yaml: string): FunctionDeclaration[] {
  const start = yaml.indexOf('\nfunctions:\n') + '\nfunctions:\n'.length;
  const end = yaml.slice(start).search(/\n[a-zA-Z][\w-]*:/);
  const block = yaml.slice(start, start + end);
  return block
    .split(/\n(?= {2}[a-zA-Z]+:\n)/)
    .map((section) => ({
      name: section.trim().slice(0, section.trim().indexOf(':')),
      handlerFile: `${/\n {4}handler: (\S+)\.handler/.exec(section)?.[1]}.ts`,
      hasSharpLayer: section.includes('<<: *sharpFunction'),
    }))
    .filter((fn) => !fn.handlerFile.startsWith('undefined'));
}

/** Bundles `entry` as serverless-esbuild does, and says whether loading it needs sharp. */
async function loadsSharpAtStart(entry: string, outfile: string): Promise<boolean> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    external: ['sharp'],
    logLevel: 'silent',
  });
  // Loaded as Lambda loads it, with a resolver that finds no sharp, as in a function without the layer.
  const probe = `const Module = require('node:module');
    const resolve = Module._resolveFilename;
    Module._resolveFilename = function (request, ...rest) {
      if (request === 'sharp') throw new Error('NO SHARP HERE');
      return resolve.call(this, request, ...rest);
    };
    try { require(${JSON.stringify(outfile)}); console.log('started'); }
    catch (error) { console.log(String(error.message).includes('NO SHARP HERE') ? 'needs sharp' : 'started'); }`;
  const output = execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8' }).trim();
  return output.endsWith('needs sharp');
}

describe('the sharp layer', function () {
  this.timeout(60_000);
  let outDir: string;
  let functions: FunctionDeclaration[];

  before(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'sharp-layer-'));
    functions = declaredFunctions(await readFile(join(SERVICE, 'serverless.yml'), 'utf8'));
  });

  after(async () => {
    await rm(outDir, { recursive: true, force: true });
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
    const decoding = join(SERVICE, 'src', 'core', 'image-processing.ts');
    expect(await loadsSharpAtStart(decoding, join(outDir, 'image-processing.cjs'))).to.equal(true);
  });

  it('is needed at start-up by no function without the layer', async () => {
    const withoutLayer = functions.filter((fn) => !fn.hasSharpLayer);
    const needing: string[] = [];
    for (const fn of withoutLayer) {
      if (await loadsSharpAtStart(join(SERVICE, fn.handlerFile), join(outDir, `${fn.name}.cjs`)))
        needing.push(fn.name);
    }
    expect(needing, 'these functions load sharp but have no sharp layer').to.deep.equal([]);
  });
});
