import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { REPO_ROOT } from '../cloud/layout';
import { mapStackTrace, packagedSourceMaps } from '../lambda/stack-trace';
import { parseCommandLine, usageError } from './command-line';

const TRACE = {
  invocation: 'npm run trace --',
  synopsis: '<service> < stack-trace.txt',
  about: [
    'Reads a stack trace from a deployed function (CloudWatch Logs) on stdin and prints it with each',
    'position in the bundle (/var/task/src/handlers/x.js:1:2345) replaced by its TypeScript file and line,',
    'from the source maps `sls package` left in services/<service>/.serverless/source-maps (deployed zips',
    'carry none: docs/adr/0009-small-bundles.md). Package the commit that was deployed first.',
  ].join('\n'),
  options: {},
  allowPositionals: true,
} as const;

const { positionals } = parseCommandLine(TRACE);
const [service, ...extra] = positionals;
if (service === undefined) usageError(TRACE.invocation, 'name the service');
if (extra.length > 0) usageError(TRACE.invocation, `unexpected argument '${extra[0]}'`);
const serviceDir = join(REPO_ROOT, 'services', service);
if (!existsSync(join(serviceDir, '.serverless', 'source-maps')))
  usageError(TRACE.invocation, `no source maps in ${serviceDir}/.serverless: run npm run package first`);
process.stdout.write(mapStackTrace(await text(process.stdin), packagedSourceMaps(serviceDir), REPO_ROOT));
