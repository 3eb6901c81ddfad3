import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { expect } from 'chai';
import { awsEnvironment } from '../../src/cloud/endpoints';
import { REPO_ROOT } from '../../src/cloud/layout';
import { type PackagingOptions, packageService } from '../../src/cloud/package-services';

const FIXTURE = { key: 'fixture-service', path: join(import.meta.dirname, '..', 'fixture-service') };

describe('local cloud: packaging reused while nothing it reads changes', function () {
  // Two real packagings of the fixture service.
  this.timeout(120_000);
  let buildDir: string;
  /** The packaging's temp folder (TMPDIR), to see what it leaves there. */
  let packagingTmp: string;
  let options: PackagingOptions;

  before(async () => {
    buildDir = await mkdtemp(join(tmpdir(), 'package-cache-'));
    packagingTmp = await mkdtemp(join(tmpdir(), 'package-cache-tmp-'));
    options = {
      root: REPO_ROOT,
      stage: 'local',
      buildDir,
      env: { ...process.env, ...awsEnvironment({}), TMPDIR: packagingTmp },
      workFolder: `.esbuild-${basename(buildDir)}`,
      params: {},
    };
  });

  after(async () => {
    await rm(join(FIXTURE.path, options.workFolder), { recursive: true, force: true });
    await rm(buildDir, { recursive: true, force: true });
    await rm(packagingTmp, { recursive: true, force: true });
  });

  it('packages once, keeping the bundles it zipped for serverless-offline', async () => {
    const packaged = await packageService(FIXTURE, options);

    expect(packaged.reused).to.equal(false);
    expect(packaged.name).to.equal('local-fixture');
    expect(packaged.template.Resources).to.have.property('RecordS3LambdaFunction');
    expect(packaged.bundlesDir).to.equal(join(FIXTURE.path, options.workFolder, '.build'));
    expect(existsSync(join(packaged.bundlesDir as string, 'src', 'record.js'))).to.equal(true);
    // serverless-esbuild's zip staging (one directory per function) is removed by the project's plugin.
    expect(await readdir(packagingTmp)).to.deep.equal([]);
  });

  it('reuses that packaging, template and bundles, when started again with the same inputs', async () => {
    const packaged = await packageService(FIXTURE, options);

    expect(packaged.reused).to.equal(true);
    expect(packaged.template.Resources).to.have.property('RecordS3LambdaFunction');
  });

  it('packages again once serverless-offline has rebuilt a bundle (a source changed while it ran)', async () => {
    const bundle = join(FIXTURE.path, options.workFolder, '.build', 'src', 'record.js');
    const later = new Date(Date.now() + 5_000);
    await utimes(bundle, later, later);

    const packaged = await packageService(FIXTURE, options);

    expect(packaged.reused).to.equal(false);
  });
});
