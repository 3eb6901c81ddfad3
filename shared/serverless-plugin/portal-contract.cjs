'use strict';

const { extname } = require('node:path');

/**
 * The portal's contract, in one place for the three parts that meet at it: the deploy step that
 * uploads the portal to S3 (portal.cjs), the local cloud's front door that serves it
 * (local/src/cloud/front-door.ts), and the portal, which reads its config file at start
 * (services/api/web/src/config.ts; its PortalConfig type comes from portal-contract.d.cts).
 * CommonJS, because the Serverless Framework loads its plugins with require().
 */

/** A portal that cannot be configured, built or published. */
class PortalDeployError extends Error {
  name = 'PortalDeployError';
}

/** The Content-Type of each file the portal's build holds, by extension (S3 and the front door). */
const CONTENT_TYPES = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
});

function contentTypeOf(key) {
  return CONTENT_TYPES[extname(key).toLowerCase()] ?? 'application/octet-stream';
}

/** Vite's output folder for files named by content hash: a new content is a new name. */
const HASHED_ASSETS = 'assets/';
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Stored by browsers and CloudFront, but checked with the bucket before each use. */
const REVALIDATE = 'no-cache';

/** How long browsers and CloudFront may keep a file of the build without asking again. */
function cacheControlOf(key) {
  return key.startsWith(HASHED_ASSETS) ? IMMUTABLE : REVALIDATE;
}

/**
 * What the portal reads from its config file, from the outputs of the stack that declares it
 * (UserPoolId, UserPoolClientId, ServiceEndpoint). In AWS: the API at its custom domain when it has
 * one, else at the endpoint osls outputs, and Cognito's regional endpoint. The local cloud's front
 * door passes where it serves the API and Cognito instead (`apiBaseUrl`, `cognitoEndpoint`).
 */
function portalConfigFrom(
  outputs,
  { region, apiDomainName, apiBaseUrl, cognitoEndpoint, cognitoIdentityEndpoint },
) {
  const apiKnown = Boolean(apiDomainName) || apiBaseUrl !== undefined;
  const required = ['UserPoolId', 'UserPoolClientId', ...(apiKnown ? [] : ['ServiceEndpoint'])];
  const missing = required.filter((key) => !outputs[key]);
  if (missing.length > 0) {
    throw new PortalDeployError(`The portal's settings need the stack output(s) ${missing.join(', ')}.`);
  }
  return {
    region,
    userPoolId: outputs.UserPoolId,
    userPoolClientId: outputs.UserPoolClientId,
    cognitoEndpoint: cognitoEndpoint ?? `https://cognito-idp.${region}.amazonaws.com/`,
    apiBaseUrl: apiBaseUrl ?? (apiDomainName ? `https://${apiDomainName}` : outputs.ServiceEndpoint),
    ...(outputs.IdentityPoolId && outputs.IdentityPoolLoginProvider
      ? {
          identityPool: {
            identityPoolId: outputs.IdentityPoolId,
            loginProvider: outputs.IdentityPoolLoginProvider,
            endpoint: cognitoIdentityEndpoint ?? `https://cognito-identity.${region}.amazonaws.com/`,
          },
        }
      : {}),
  };
}

/** Builds the portal's sources (`root`, with its own vite.config) into `outDir`. */
async function buildPortal(root, outDir) {
  const { build } = await import('vite');
  await build({ root, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
}

module.exports = {
  CONTENT_TYPES,
  HASHED_ASSETS,
  PortalDeployError,
  buildPortal,
  cacheControlOf,
  contentTypeOf,
  portalConfigFrom,
};
