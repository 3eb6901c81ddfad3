'use strict';

// DuckDB reaches the deployed functions as a Lambda layer built from this repository's node_modules,
// as sharp does in services/image-pipeline (its plugins/sharp-layer.cjs explains the reasons).
//
// @duckdb/node-api loads a native addon and libduckdb.so from @duckdb/node-bindings-<platform>, so
// esbuild cannot bundle it: this plugin (listed before serverless-esbuild) marks it external, and the
// bundles require it at run time from /opt/nodejs/node_modules (the layer) in Lambda and from the
// repository's node_modules locally. Before packaging it copies the packages and everything they
// depend on into `custom.duckdbLayer.directory`/nodejs/node_modules. Nothing is downloaded; npm
// installed the host's binaries (linux-x64), hence x86_64 functions.
// https://duckdb.org/docs/stable/clients/node_neo/overview  https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html

const { createRequire } = require('node:module');
const fs = require('node:fs/promises');
const path = require('node:path');

const API = '@duckdb/node-api';

class DuckDbLayer {
  constructor(serverless, _options, { log } = {}) {
    this.serverless = serverless;
    this.log = log;
    this.hooks = {
      initialize: () => this.initialize(),
      'before:package:createDeploymentArtifacts': () => this.build(),
    };
  }

  settings() {
    const { directory, platform } = this.serverless.service.custom?.duckdbLayer ?? {};
    if (typeof directory !== 'string' || !/^linux-(x64|arm64)$/.test(platform ?? '')) {
      throw new Error('custom.duckdbLayer needs a directory and a platform (linux-x64 or linux-arm64)');
    }
    return { target: path.resolve(this.serverless.serviceDir, directory), platform };
  }

  initialize() {
    const { service } = this.serverless;
    service.custom = service.custom ?? {};
    service.custom.esbuild = service.custom.esbuild ?? {};
    const { esbuild } = service.custom;
    esbuild.exclude = [...new Set([...(esbuild.exclude ?? []), API])];
    // osls compares layers with the deployed stack while packaging (a CloudFormation call): not
    // when the command is only `package`, which must work offline. A deploy still compares.
    if (this.serverless.processedInput?.commands?.[0] === 'package') {
      for (const plugin of this.serverless.pluginManager.plugins.filter((p) => p.compareWithLastLayer)) {
        plugin.compareWithLastLayer = async () => {};
      }
    }
  }

  async build() {
    const { target, platform } = this.settings();
    const roots = [API, `@duckdb/node-bindings-${platform}`];
    const packages = await dependencyClosure(roots, this.serverless.serviceDir, platform);
    const stamp = JSON.stringify([...packages].map(([name, { version }]) => `${name}@${version}`).sort());
    const stampFile = path.join(target, 'stamp.json');
    if ((await fs.readFile(stampFile, 'utf8').catch(() => '')) === stamp) return;
    // Built beside the target and renamed in place, so that two packagings never see half a layer.
    const staging = `${target}.${process.pid}.tmp`;
    await fs.rm(staging, { recursive: true, force: true });
    await Promise.all(
      [...packages].map(([name, { directory }]) =>
        fs.cp(directory, path.join(staging, 'nodejs', 'node_modules', name), {
          recursive: true,
          dereference: true,
        }),
      ),
    );
    await fs.writeFile(path.join(staging, 'stamp.json'), stamp);
    await fs.rm(target, { recursive: true, force: true });
    try {
      await fs.rename(staging, target);
    } catch (error) {
      await fs.rm(staging, { recursive: true, force: true });
      if (!['ENOTEMPTY', 'EEXIST'].includes(error.code)) throw error;
    }
    this.log?.verbose?.(`DuckDB layer for ${platform}: ${[...packages.keys()].join(', ')}`);
  }
}

/**
 * Every package `roots` need at run time, found where Node would look for it (the node_modules of
 * each folder up from the one that depends on it), as name -> { directory, version }.
 */
async function dependencyClosure(roots, serviceDir, platform) {
  const found = new Map();
  const pending = roots.map((name) => [name, serviceDir]);
  while (pending.length > 0) {
    const [name, from] = pending.pop();
    if (found.has(name)) continue;
    const directory = await locate(name, from);
    if (directory === undefined) {
      throw new Error(
        `${name} is not installed: the DuckDB layer for ${platform} cannot be built offline (npm install)`,
      );
    }
    const manifest = JSON.parse(await fs.readFile(path.join(directory, 'package.json'), 'utf8'));
    found.set(name, { directory, version: manifest.version });
    // Optional dependencies are the other platforms' binaries: the roots name the one needed.
    for (const dependency of Object.keys(manifest.dependencies ?? {})) pending.push([dependency, directory]);
  }
  return found;
}

async function locate(name, from) {
  const searched = createRequire(path.join(from, 'package.json')).resolve.paths(name) ?? [];
  for (const folder of searched) {
    const candidate = path.join(folder, name);
    const exists = await fs.stat(path.join(candidate, 'package.json')).then(
      () => true,
      () => false,
    );
    if (exists) return candidate;
  }
  return undefined;
}

module.exports = DuckDbLayer;
