'use strict';

const { mkdtemp, readdir, readFile, rm, writeFile } = require('node:fs/promises');
const { tmpdir } = require('node:os');
const { join, relative, resolve, sep } = require('node:path');
const { CloudFormationClient, DescribeStacksCommand } = require('@aws-sdk/client-cloudformation');
const {
  DeleteObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} = require('@aws-sdk/client-s3');
const portalContract = require('./portal-contract.cjs');

const { HASHED_ASSETS, PortalDeployError, cacheControlOf, contentTypeOf, portalConfigFrom } = portalContract;

/**
 * The portal's upload step, after `sls deploy` of a service that sets `custom.portal`
 * (`{ source, configFile, apiDomainName }`): builds the portal with Vite, writes its config file from
 * the stack's outputs, uploads every file to the stack's PortalBucket, then deletes the files that
 * earlier deploys left and this build no longer has.
 *
 * osls 4 removed `provider.request()`: AWS SDK v3 clients are built from `provider.getAwsSdkV3Config()`,
 * which carries the deploy's credentials and region.
 *
 * No CloudFront invalidation: index.html and the config file are uploaded with `Cache-Control: no-cache`,
 * which the distribution's CachingOptimized policy keeps for its minimum TTL, 1 second; the assets
 * index.html names are new files whenever their content changes (Vite puts a hash in their names).
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Expiration.html
 */

/** S3 deletes at most 1,000 keys per DeleteObjects request. */
const DELETE_BATCH = 1000;

/**
 * Hashed assets first and index.html last: until index.html is replaced, visitors load the previous
 * build, whose files are all still there; once it is, every file it names is already uploaded.
 */
function uploadOrder(keys) {
  const rank = (key) => (key.startsWith(HASHED_ASSETS) ? 0 : key === 'index.html' ? 2 : 1);
  return [...keys].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Keys in the bucket that the new build does not have. */
function staleKeys(existingKeys, builtKeys) {
  const built = new Set(builtKeys);
  return existingKeys.filter((key) => !built.has(key));
}

/** `[{ OutputKey, OutputValue }]`, as DescribeStacks gives them, as an object. */
function outputsByKey(outputs = []) {
  return Object.fromEntries(outputs.map(({ OutputKey, OutputValue }) => [OutputKey, OutputValue]));
}

/** Writes the config file into the build, uploads the build and deletes what it no longer has. */
async function publishPortal({ cloudFormation, s3, stackName, region, buildDir, settings, log = () => {} }) {
  const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs = outputsByKey(Stacks?.[0]?.Outputs);
  const bucket = outputs.PortalBucketName;
  if (!bucket) throw new PortalDeployError(`Stack ${stackName} has no PortalBucketName output.`);
  const config = portalConfigFrom(outputs, { region, apiDomainName: settings.apiDomainName });
  await writeFile(join(buildDir, settings.configFile), `${JSON.stringify(config, null, 2)}\n`);

  const existing = await listKeys(s3, bucket);
  const keys = uploadOrder(await filesUnder(buildDir));
  for (const key of keys) {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: await readFile(join(buildDir, key)),
        ContentType: contentTypeOf(key),
        CacheControl: cacheControlOf(key),
      }),
    );
    log(`uploaded ${key}`);
  }
  const stale = staleKeys(existing, keys);
  for (let start = 0; start < stale.length; start += DELETE_BATCH) {
    const batch = stale.slice(start, start + DELETE_BATCH);
    const { Errors } = await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: batch.map((key) => ({ Key: key })), Quiet: true },
      }),
    );
    if (Errors?.length) {
      const failed = Errors.map(({ Key, Code }) => `${Key} (${Code})`).join(', ');
      throw new PortalDeployError(`Files of an earlier deploy could not be deleted: ${failed}`);
    }
    log(`deleted ${batch.join(', ')}`);
  }
  return { bucket, uploaded: keys, deleted: stale, url: outputs.PortalUrl };
}

async function listKeys(s3, bucket) {
  const keys = [];
  let ContinuationToken;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken }));
    keys.push(...(page.Contents ?? []).map(({ Key }) => Key));
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
  return keys;
}

/** Every file below `dir`, as a bucket key ('assets/index-1a2b.js'). */
async function filesUnder(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'));
}

/** The `after:deploy:deploy` hook. */
async function deployPortal(serverless, log) {
  const settings = serverless.service.custom?.portal;
  if (!settings) return;
  if (typeof settings.source !== 'string' || settings.source === '') {
    throw new PortalDeployError('custom.portal.source must name the portal folder (with its index.html).');
  }
  const provider = serverless.getProvider('aws');
  const sdkConfig = await provider.getAwsSdkV3Config();
  const buildDir = await mkdtemp(join(tmpdir(), 'portal-'));
  try {
    await portalContract.buildPortal(resolve(serverless.serviceDir, settings.source), buildDir);
    const { uploaded, deleted, url } = await publishPortal({
      cloudFormation: new CloudFormationClient(sdkConfig),
      s3: new S3Client(sdkConfig),
      stackName: provider.naming.getStackName(),
      region: provider.getRegion(),
      buildDir,
      settings: { configFile: 'config.json', ...settings },
      log: (line) => log?.info(`portal: ${line}`),
    });
    log?.notice(`Portal: ${uploaded.length} files uploaded, ${deleted.length} deleted, at ${url}`);
  } finally {
    await rm(buildDir, { recursive: true, force: true });
  }
}

// The contract's functions too, for the tests of the deploy step.
module.exports = {
  ...portalContract,
  deployPortal,
  outputsByKey,
  publishPortal,
  staleKeys,
  uploadOrder,
};
