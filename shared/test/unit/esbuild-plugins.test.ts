import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { type BuildOptions, build, type Plugin } from 'esbuild';

const require = createRequire(import.meta.url);
const [sdkSchemaLiteralKeys, fileCredentialProvidersLeftOut, sourceMapsBesideArtifacts] =
  require('../../serverless-plugin/esbuild-plugins.cjs') as [Plugin, Plugin, Plugin];
const EC2_SCHEMAS = require
  .resolve('@aws-sdk/client-ec2')
  .replace(/dist-cjs[\\/]index\.js$/, join('dist-es', 'schemas', 'schemas_0.js'));

/** The options serverless.common.yml gives serverless-esbuild, for a bundle written in memory. */
const BUNDLE: BuildOptions = {
  bundle: true,
  treeShaking: true,
  platform: 'node',
  format: 'cjs',
  target: 'node24',
  mainFields: ['module', 'main'],
  write: false,
};

async function bundled(contents: string, plugins: Plugin[], minify = true): Promise<string> {
  const result = await build({
    ...BUNDLE,
    minify,
    stdin: { contents, resolveDir: import.meta.dirname, loader: 'ts' },
    plugins,
  });
  return result.outputFiles?.[0]?.text ?? '';
}

/** Every export of the module, functions (the schemas' lazy references) by their source. */
function exportsOf(code: string): string {
  const module = { exports: {} as Record<string, unknown> };
  new Function('module', 'exports', 'require', code)(module, module.exports, require);
  return JSON.stringify(module.exports, (_key, value: unknown) =>
    typeof value === 'function' ? String(value) : value,
  );
}

describe('esbuild plugins: every bundle', function () {
  this.timeout(60_000);

  describe('the AWS SDK schemas with literal keys', () => {
    it('keeps only the schemas of the operations a bundle sends', async () => {
      const entry =
        "import { EC2Client, DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';\n" +
        'export const send = () => new EC2Client({}).send(new DescribeSnapshotsCommand({}));';

      const [plain, shaken] = await Promise.all([bundled(entry, []), bundled(entry, [sdkSchemaLiteralKeys])]);

      expect(plain).to.include('"AllocateAddressRequest"');
      expect(shaken).not.to.include('"AllocateAddressRequest"');
      expect(shaken).to.include('"DescribeSnapshotsRequest"');
      expect(shaken.length).to.be.below(plain.length / 2);
    });

    it('gives every schema the same value as the SDK wrote it', async () => {
      const entry = `export * from ${JSON.stringify(EC2_SCHEMAS)};`;

      const [original, rewritten] = await Promise.all([
        bundled(entry, [], false),
        bundled(entry, [sdkSchemaLiteralKeys], false),
      ]);

      expect(rewritten).not.to.equal(original);
      expect(exportsOf(rewritten)).to.equal(exportsOf(original));
      expect(exportsOf(rewritten)).to.include('"ec2QueryName":"Min"');
    });
  });

  describe('the file credential providers left out', () => {
    const entry =
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\n" +
      'new DynamoDBClient({ region: "us-east-1" }).config.credentials().then(\n' +
      '  ({ accessKeyId }) => console.log(accessKeyId),\n' +
      '  (error) => console.log(error.name, error.message),\n' +
      ');';
    /** The bundle run in a fresh process in `dir`, with only these variables. */
    async function credentialsIn(dir: string, env: Record<string, string>): Promise<string> {
      await writeFile(join(dir, 'bundle.js'), await bundled(entry, [fileCredentialProvidersLeftOut]));
      const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'bundle.js')], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', ...env },
      });
      return stdout.trim();
    }
    let dir: string;
    afterEach(() => rm(dir, { recursive: true, force: true }));

    it("finds Lambda's environment credentials where no node_modules is", async () => {
      dir = await mkdtemp(join(tmpdir(), 'credentials-'));

      const found = await credentialsIn(dir, {
        AWS_ACCESS_KEY_ID: 'ASIAFROMTHEROLE',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_SESSION_TOKEN: 'token',
      });

      expect(found).to.equal('ASIAFROMTHEROLE');
      expect(await readFile(join(dir, 'bundle.js'), 'utf8')).to.include(
        'import("@aws-sdk/credential-provider-ini")',
      );
    });

    it('still reads a profile of a shared credentials file inside the repository', async () => {
      // Inside the repository, as the local cloud's bundles are: the providers resolve from node_modules.
      dir = await mkdtemp(join(import.meta.dirname, '..', '..', '.test-bundle-'));
      await writeFile(
        join(dir, 'credentials'),
        '[developer]\naws_access_key_id = AKIAFROMTHEPROFILE\naws_secret_access_key = secret\n',
      );

      const found = await credentialsIn(dir, {
        AWS_PROFILE: 'developer',
        AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
        AWS_CONFIG_FILE: join(dir, 'config'),
      });

      expect(found).to.equal('AKIAFROMTHEPROFILE');
    });
  });

  describe('source maps beside the artifacts', () => {
    let service: string;
    beforeEach(async () => {
      service = await mkdtemp(join(tmpdir(), 'source-maps-'));
      await mkdir(join(service, 'src', 'handlers'), { recursive: true });
      await writeFile(
        join(service, 'src', 'handlers', 'say-hello.ts'),
        "export const handler = async () => {\n  throw new Error('hello');\n};\n",
      );
    });
    afterEach(() => rm(service, { recursive: true, force: true }));

    it("moves a bundle's map out of the build folder; beside the zips, it names the TypeScript source", async () => {
      const outdir = join(service, '.esbuild', '.build', 'src', 'handlers');

      await build({
        ...BUNDLE,
        write: true,
        absWorkingDir: service,
        entryPoints: ['src/handlers/say-hello.ts'],
        outdir,
        sourcemap: 'external',
        plugins: [sourceMapsBesideArtifacts],
      });

      const inMaps = join('.serverless', 'source-maps', 'src', 'handlers', 'say-hello.js.map');
      const moved = join(service, '.esbuild', inMaps);
      expect(existsSync(join(outdir, 'say-hello.js'))).to.equal(true);
      expect(existsSync(join(outdir, 'say-hello.js.map'))).to.equal(false);
      const map = JSON.parse(await readFile(moved, 'utf8')) as { sources: string[] };
      // serverless-esbuild copies its work folder's .serverless into the service's, beside the zips.
      const besideZips = join(service, inMaps);
      expect(map.sources.map((source) => resolve(dirname(besideZips), source))).to.include(
        join(service, 'src', 'handlers', 'say-hello.ts'),
      );
      expect(await readFile(join(outdir, 'say-hello.js'), 'utf8')).not.to.include('sourceMappingURL');
    });
  });
});
