import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CloudFormationResource, CloudFormationTemplate } from './check-template';

const ROOT = join(import.meta.dirname, '..', '..');
const OSLS = join(ROOT, 'node_modules', 'osls', 'bin', 'serverless.js');

/**
 * One service packaged for the `policy` stage with the given stage parameters, into a folder of its own
 * (its .serverless stays as it was), and the resources of its template. Two packagings of one service
 * must not run side by side: both bundle in the service's esbuild work folder.
 */
export async function packagedResources(
  service: string,
  params: Record<string, string> = {},
): Promise<Record<string, CloudFormationResource>> {
  const output = await mkdtemp(join(tmpdir(), `${service}-template-`));
  try {
    const args = [OSLS, 'package', '--stage', 'policy', '--package', output];
    for (const [name, value] of Object.entries(params)) args.push('--param', `${name}=${value}`);
    await promisify(execFile)(process.execPath, args, {
      cwd: join(ROOT, 'services', service),
      // Packaging calls no AWS API, but the SDK wants credentials to exist.
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'package-only', AWS_SECRET_ACCESS_KEY: 'package-only' },
      maxBuffer: 16 * 1024 * 1024,
    });
    const template = JSON.parse(
      await readFile(join(output, 'cloudformation-template-update-stack.json'), 'utf8'),
    ) as CloudFormationTemplate;
    return template.Resources ?? {};
  } finally {
    await rm(output, { recursive: true, force: true });
  }
}
