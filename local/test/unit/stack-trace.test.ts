import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { build, type Plugin } from 'esbuild';
import { mapStackTrace, packagedSourceMaps } from '../../src/lambda/stack-trace';

const plugins = createRequire(import.meta.url)(
  '../../../shared/serverless-plugin/esbuild-plugins.cjs',
) as Plugin[];

describe('stack traces of deployed functions (npm run trace)', () => {
  let service: string;
  before(async () => {
    // A service packaged as serverless.common.yml has it: a minified bundle, its map beside the zips.
    service = await mkdtemp(join(tmpdir(), 'stack-trace-'));
    await mkdir(join(service, 'src', 'handlers'), { recursive: true });
    await writeFile(
      join(service, 'src', 'handlers', 'read-order.ts'),
      [
        'export const handler = async (id: string) => {',
        '  if (id === "") throw new TypeError("no order id");',
        '  return id;',
        '};',
        '',
      ].join('\n'),
    );
    await build({
      absWorkingDir: service,
      entryPoints: ['src/handlers/read-order.ts'],
      outdir: join(service, '.esbuild', '.build', 'src', 'handlers'),
      bundle: true,
      minify: true,
      keepNames: true,
      platform: 'node',
      format: 'cjs',
      sourcemap: 'external',
      sourcesContent: false,
      plugins,
    });
    await cp(join(service, '.esbuild', '.serverless'), join(service, '.serverless'), { recursive: true });
  });
  after(() => rm(service, { recursive: true, force: true }));

  it('gives each frame in a bundle its TypeScript file and line', async () => {
    const bundle = join(service, '.esbuild', '.build', 'src', 'handlers', 'read-order.js');
    const { stdout } = await promisify(execFile)(process.execPath, [
      '-e',
      `require(${JSON.stringify(bundle)}).handler('').catch((error) => console.log(error.stack))`,
    ]);
    // As CloudWatch has it: the zip is unpacked in /var/task.
    const fromLambda = stdout.replaceAll(join(service, '.esbuild', '.build'), '/var/task');
    expect(fromLambda).to.match(/at Object.handler \(\/var\/task\/src\/handlers\/read-order\.js:\d+:\d+\)/);

    const mapped = mapStackTrace(fromLambda, packagedSourceMaps(service), service);

    expect(mapped).to.include('TypeError: no order id');
    expect(mapped).to.match(/at Object.handler \(src\/handlers\/read-order\.ts:2:\d+\)/);
  });

  it('leaves a frame alone when no map covers its bundle', () => {
    const line = '    at other (/var/task/src/handlers/unknown.js:1:99)';

    expect(mapStackTrace(line, packagedSourceMaps(service), service)).to.equal(line);
  });
});
