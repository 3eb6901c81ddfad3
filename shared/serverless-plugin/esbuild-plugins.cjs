'use strict';

const { mkdir, readFile, rename } = require('node:fs/promises');
const { basename, dirname, extname, join, sep } = require('node:path');

/**
 * esbuild plugins every service's bundles are built with (serverless.common.yml, `esbuild.plugins`).
 *
 * - sdkSchemaLiteralKeys: the AWS SDK's generated schemas (`dist-es/schemas/schemas_0.js` of each client,
 *   since SDK 3.930) write trait keys as computed properties of string constants: `{ [_eQN]: 'Min' }`.
 *   esbuild keeps any object with a computed key, since evaluating the key could have side effects, and so
 *   every schema of the client stays in the bundle, used or not: 541 KB of EC2's for the four operations
 *   ops calls. Each such key is rewritten to the literal it names (`{ "ec2QueryName": 'Min' }`), the
 *   same values, which esbuild can then drop when unused. This is the fix proposed upstream
 *   (smithy-lang/smithy-typescript#1889, for aws/aws-sdk-js-v3#7607; evanw/esbuild#4373); once the SDK
 *   ships literal keys, the files have no computed key left and this plugin changes nothing.
 * - fileCredentialProvidersLeftOut: the SDK's default credential chain (credential-provider-node) takes
 *   environment credentials first, which Lambda always sets (the function role's), and imports the other
 *   providers only when a link is reached: SSO, shared ini files, credential_process and web identity
 *   tokens, ~100 KB with the clients they use (nested-clients), a sixth of a DynamoDB bundle that every
 *   cold start parses. Those four dynamic imports (and only those: a static import of them is bundled
 *   as before) are left to Node's resolution. Locally (the local cloud, tests, tools) they resolve from
 *   node_modules and the chain behaves as the SDK's; in Lambda they are never reached. The container
 *   and instance metadata providers stay in the bundle.
 *   https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/setting-credentials-node.html
 *   https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 * - sourceMapsBesideArtifacts: a bundle's source map is moved out of serverless-esbuild's build folder,
 *   from which each function's zip is made, into the work folder's `.serverless/source-maps/`, which
 *   serverless-esbuild copies into the service's `.serverless/` beside the zips. The maps are ~60 % of a
 *   zip and Lambda has no use for them unless NODE_OPTIONS=--enable-source-maps, which costs every cold
 *   start the map's parsing (docs/adr/0009-small-bundles.md). Beside the zips
 *   (`.serverless/source-maps/src/handlers/x.js.map`) a map is as deep below the service as its bundle
 *   was (`.esbuild/.build/src/handlers/x.js`), so its relative `sources` still name the TypeScript files.
 */

/** A generated schema file of an AWS SDK client (nested clients' submodules included). */
const SDK_SCHEMA_FILE = /[\\/]@aws-sdk[\\/].+[\\/]dist-es[\\/](?:.+[\\/])?schemas[\\/]schemas_\d+\.js$/;

/** `const _eQN = "ec2QueryName";`: the string constants the generated files declare, one a line. */
const STRING_CONSTANT = /^const (_\w+) = ("(?:[^"\\\n]|\\.)*");$/gm;

/** A computed key that is one such constant, where an object literal's property starts. */
const COMPUTED_CONSTANT_KEY = /([{,]\s*)\[(_\w+)\]:/g;

/** The source with every computed key that names a string constant of the file written as that string. */
function withLiteralKeys(source) {
  const strings = new Map();
  for (const [, name, literal] of source.matchAll(STRING_CONSTANT)) strings.set(name, literal);
  return source.replace(COMPUTED_CONSTANT_KEY, (whole, before, name) => {
    const literal = strings.get(name);
    return literal === undefined ? whole : `${before}${literal}:`;
  });
}

const sdkSchemaLiteralKeys = {
  name: 'sdk-schema-literal-keys',
  setup(build) {
    build.onLoad({ filter: SDK_SCHEMA_FILE }, async ({ path }) => ({
      contents: withLiteralKeys(await readFile(path, 'utf8')),
      loader: 'js',
    }));
  },
};

/** The providers the default chain imports when it gets past environment credentials, never in Lambda. */
const FILE_CREDENTIAL_PROVIDERS = /^@aws-sdk\/credential-provider-(?:ini|sso|process|web-identity)$/;
const DEFAULT_CHAIN = /[\\/]@aws-sdk[\\/]credential-provider-node[\\/]/;

const fileCredentialProvidersLeftOut = {
  name: 'file-credential-providers-left-out',
  setup(build) {
    build.onResolve({ filter: FILE_CREDENTIAL_PROVIDERS }, ({ path, kind, importer }) =>
      kind === 'dynamic-import' && DEFAULT_CHAIN.test(importer) ? { path, external: true } : undefined,
    );
  },
};

/** serverless-esbuild's build folder, inside its work folder (`<service>/.esbuild/.build`). */
const BUILD_FOLDER = '.build';

/** Where the map of `<build folder>/<bundle>` goes: `<work folder>/.serverless/source-maps/<bundle>.map`. */
function sourceMapDestination(mapPath) {
  const parts = mapPath.split(sep);
  const build = parts.lastIndexOf(BUILD_FOLDER);
  if (build < 1) return undefined;
  const workFolder = parts.slice(0, build).join(sep);
  const inBuild = parts.slice(build + 1).join(sep);
  return join(workFolder, '.serverless', 'source-maps', inBuild);
}

const sourceMapsBesideArtifacts = {
  name: 'source-maps-beside-artifacts',
  setup(build) {
    const { outdir, entryPoints, sourcemap } = build.initialOptions;
    if (sourcemap !== 'external' || outdir === undefined || !Array.isArray(entryPoints)) return;
    build.onEnd(async (result) => {
      if (result.errors.length > 0) return;
      for (const entry of entryPoints) {
        const entryPath = typeof entry === 'string' ? entry : entry.in;
        const map = join(outdir, `${basename(entryPath, extname(entryPath))}.js.map`);
        const destination = sourceMapDestination(map);
        if (destination === undefined) continue;
        await mkdir(dirname(destination), { recursive: true });
        await rename(map, destination);
      }
    });
  },
};

module.exports = [sdkSchemaLiteralKeys, fileCredentialProvidersLeftOut, sourceMapsBesideArtifacts];
module.exports.withLiteralKeys = withLiteralKeys;
module.exports.sourceMapDestination = sourceMapDestination;
