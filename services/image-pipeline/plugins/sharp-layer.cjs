'use strict';

// sharp reaches the deployed functions in a Lambda layer built from this repository's node_modules.
//
// sharp is a native module (libvips and a Node-API addon, per platform), so esbuild cannot bundle it.
// This plugin (listed before serverless-esbuild) adds 'sharp' to custom.esbuild.exclude: the bundles
// then require('sharp') at run time, which resolves to /opt/nodejs/node_modules in Lambda (the layer)
// and to the repository's node_modules on a laptop, where the local cloud runs the bundles.
// Before packaging, it copies sharp, its dependencies and its binaries for `custom.sharpLayer.platform`
// into `custom.sharpLayer.directory`/nodejs/node_modules, the layer's path. Nothing is downloaded, so
// `sls package` works offline. npm installs only the host's binaries: the platform is linux-x64 (the
// CI and development machines), which is why the functions that use sharp run on x86_64. For arm64,
// install @img/sharp-linux-arm64 and @img/sharp-libvips-linux-arm64 (npm install --os=linux
// --cpu=arm64 sharp) and change the platform and the functions' architecture (README.md, "sharp").
// https://sharp.pixelplumbing.com/install#aws-lambda
// https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html#packaging-layers-paths

const { access, cp, readFile, rename, rm, writeFile } = require('node:fs/promises');
const path = require('node:path');

const SHARP = 'sharp';

class SharpLayer {
  constructor(serverless, _options, { log } = {}) {
    this.serverless = serverless;
    this.log = log;
    this.hooks = {
      initialize: () => {
        this.excludeFromBundles();
        this.packageLayersOffline();
      },
      'before:package:createDeploymentArtifacts': () => this.buildLayer(),
    };
  }

  excludeFromBundles() {
    const { service } = this.serverless;
    service.custom = service.custom ?? {};
    service.custom.esbuild = service.custom.esbuild ?? {};
    const esbuild = service.custom.esbuild;
    const exclude = Array.isArray(esbuild.exclude) ? esbuild.exclude : [];
    if (!exclude.includes(SHARP)) esbuild.exclude = [...exclude, SHARP];
  }

  /**
   * osls compares each layer with the deployed stack's outputs (DescribeStacks) while packaging, so that
   * a deploy can reuse a layer already uploaded. That call needs AWS, and `sls package` must work
   * offline (npm test, the local cloud): when the command is package, the comparison is skipped. A
   * deploy still makes it (and without it would only upload the same layer again).
   */
  packageLayersOffline() {
    const commands = this.serverless.processedInput?.commands ?? [];
    if (commands[0] !== 'package') return;
    for (const plugin of this.serverless.pluginManager.plugins) {
      if (typeof plugin.compareWithLastLayer === 'function') plugin.compareWithLastLayer = async () => {};
    }
  }

  async buildLayer() {
    const serviceDir = this.serverless.serviceDir;
    const { directory, platform } = this.serverless.service.custom?.sharpLayer ?? {};
    if (typeof directory !== 'string' || typeof platform !== 'string') {
      throw new Error('custom.sharpLayer needs a directory and a platform (e.g. linux-x64)');
    }
    const target = path.resolve(serviceDir, directory);
    const sharpRoot = await findPackage(SHARP, serviceDir);
    if (sharpRoot === undefined) throw new Error(`${SHARP} is not installed`);
    const sharpVersion = JSON.parse(await readFile(path.join(sharpRoot, 'package.json'), 'utf8')).version;
    const stamp = JSON.stringify({ sharp: sharpVersion, platform });
    const current = () => readFile(path.join(target, 'stamp.json'), 'utf8').catch(() => '');
    if ((await current()) === stamp) return;

    const packages = await closure(
      [SHARP, `@img/sharp-${platform}`, `@img/sharp-libvips-${platform}`],
      sharpRoot,
      platform,
    );
    // Built aside, then renamed into place: two packagings at once (two local clouds) never see half a layer.
    const building = `${target}.building-${process.pid}`;
    await rm(building, { recursive: true, force: true });
    for (const [name, source] of packages) {
      await cp(source, path.join(building, 'nodejs', 'node_modules', name), {
        recursive: true,
        dereference: true,
      });
    }
    await writeFile(path.join(building, 'stamp.json'), stamp);
    if ((await current()) === stamp) {
      await rm(building, { recursive: true, force: true });
      return;
    }
    await rm(target, { recursive: true, force: true });
    await rename(building, target).catch(async (error) => {
      await rm(building, { recursive: true, force: true });
      // Another packaging renamed the same layer into place first.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
    this.log?.verbose?.(`sharp ${sharpVersion} layer for ${platform}: ${[...packages.keys()].join(', ')}`);
  }
}

/** The packages and their dependencies (transitively), as name -> directory, resolved like Node does. */
async function closure(names, fromDir, platform) {
  const found = new Map();
  const queue = names.map((name) => ({ name, fromDir }));
  while (queue.length > 0) {
    const { name, fromDir: base } = queue.shift();
    if (found.has(name)) continue;
    const directory = await findPackage(name, base);
    if (directory === undefined) {
      throw new Error(
        `${name} is not installed, so the sharp layer for ${platform} cannot be built offline. ` +
          `Install it with: npm install --os=${platform.split('-')[0]} --cpu=${platform.split('-')[1]} sharp`,
      );
    }
    found.set(name, directory);
    const { dependencies = {} } = JSON.parse(await readFile(path.join(directory, 'package.json'), 'utf8'));
    for (const dependency of Object.keys(dependencies)) queue.push({ name: dependency, fromDir: directory });
  }
  return found;
}

/**
 * The directory of a package as Node would find it from `fromDir` (node_modules of each parent folder).
 * Not require.resolve: packages with an `exports` map (sharp) do not export their package.json.
 */
async function findPackage(name, fromDir) {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (
      await access(path.join(candidate, 'package.json')).then(
        () => true,
        () => false,
      )
    )
      return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

module.exports = SharpLayer;
