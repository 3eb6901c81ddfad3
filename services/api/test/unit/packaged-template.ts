import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const SERVICE_DIR = join(import.meta.dirname, '..', '..');
const OSLS = join(SERVICE_DIR, '..', '..', 'node_modules', 'osls', 'bin', 'serverless.js');

/**
 * The service's CloudFormation template as `sls deploy` would send it: `sls package` into a fresh
 * folder, with the stage parameters given. The stage is fixed (`policy`) so that templates differ only
 * by them, unless a test is about what one stage gets by default.
 */
export async function packageService<Template>(
  parameters: Record<string, string>,
  { stage = 'policy' }: { stage?: string } = {},
): Promise<Template> {
  const output = await mkdtemp(join(tmpdir(), 'api-template-'));
  try {
    const params = Object.entries(parameters).flatMap(([name, value]) => ['--param', `${name}=${value}`]);
    await promisify(execFile)(
      process.execPath,
      [OSLS, 'package', '--stage', stage, '--package', output, ...params],
      {
        cwd: SERVICE_DIR,
        // Packaging calls no AWS API, but the SDK wants credentials to exist.
        env: { ...process.env, AWS_ACCESS_KEY_ID: 'package-only', AWS_SECRET_ACCESS_KEY: 'package-only' },
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    return JSON.parse(await readFile(join(output, 'cloudformation-template-update-stack.json'), 'utf8'));
  } finally {
    await rm(output, { recursive: true, force: true });
  }
}

/**
 * A template value as CloudFormation would resolve it: Fn::Join, Fn::Sub (its string form) and Ref, each
 * name (a resource, AWS::Region, Res.Attr) taken from `values`. Throws on a name it is not given.
 */
export function resolved(value: unknown, values: Record<string, string>): string {
  const lookup = (name: string) => {
    const found = values[name];
    if (found === undefined) throw new Error(`no value given for ${name}`);
    return found;
  };
  if (typeof value === 'string') return value;
  const [[intrinsic, argument]] = Object.entries(value as Record<string, unknown>) as [[string, unknown]];
  switch (intrinsic) {
    case 'Ref':
      return lookup(argument as string);
    case 'Fn::Sub':
      return (argument as string).replace(/\$\{([^}!]+)\}/g, (_, name: string) => lookup(name));
    case 'Fn::Join': {
      const [separator, parts] = argument as [string, unknown[]];
      return parts.map((part) => resolved(part, values)).join(separator);
    }
    default:
      throw new Error(`cannot resolve ${intrinsic}`);
  }
}
