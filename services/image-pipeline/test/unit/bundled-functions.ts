import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

// The service's functions as Lambda gets them: declared in serverless.yml, bundled as serverless-esbuild
// bundles them (serverless.common.yml, esbuild; sharp left out by plugins/sharp-layer.cjs), and loaded
// in a Node process of their own, where only what the function is given is there.

export const SERVICE = join(import.meta.dirname, '..', '..');

export interface FunctionDeclaration {
  name: string;
  handlerFile: string;
  hasSharpLayer: boolean;
  /** Its `environment`, each variable with the value written in serverless.yml. */
  environment: Record<string, string>;
}

/** The functions of serverless.yml, read as text (its CloudFormation tags are not plain YAML). */
export async function declaredFunctions(): Promise<FunctionDeclaration[]> {
  const yaml = await readFile(join(SERVICE, 'serverless.yml'), 'utf8');
  const start = yaml.indexOf('\nfunctions:\n') + '\nfunctions:\n'.length;
  const end = yaml.slice(start).search(/\n[a-zA-Z][\w-]*:/);
  const block = yaml.slice(start, start + end);
  return block
    .split(/\n(?= {2}[a-zA-Z]+:\n)/)
    .map((section) => ({
      name: section.trim().slice(0, section.trim().indexOf(':')),
      handlerFile: `${/\n {4}handler: (\S+)\.handler/.exec(section)?.[1]}.ts`,
      hasSharpLayer: section.includes('<<: *sharpFunction'),
      environment: environmentOf(section),
    }))
    .filter((fn) => !fn.handlerFile.startsWith('undefined'));
}

/** `environment: { NAME: value }` on one line, or one `NAME: value` per line below `environment:`. */
function environmentOf(section: string): Record<string, string> {
  const inline = /\n {4}environment: \{ (.*) \}\n/.exec(section)?.[1];
  const variables =
    inline === undefined
      ? (/\n {4}environment:\n((?: {6}.*\n)+)/.exec(section)?.[1] ?? '').matchAll(
          /^ {6}([A-Z][A-Z0-9_]+): (.+)$/gm,
        )
      : inline.matchAll(/\b([A-Z][A-Z0-9_]+): ([^,]+?)(?=, [A-Z][A-Z0-9_]+:|$)/g);
  return Object.fromEntries([...variables].map(([, name = '', value = '']) => [name, value]));
}

let folder: string | undefined;
const bundles = new Map<string, Promise<string>>();

/**
 * The function's handler (or any module of the service) bundled as serverless-esbuild bundles it, once
 * per test run, in a temporary folder removed when the run ends.
 */
export function bundled(fn: Pick<FunctionDeclaration, 'name' | 'handlerFile'>): Promise<string> {
  if (folder === undefined) {
    const created = mkdtempSync(join(tmpdir(), 'image-pipeline-bundles-'));
    process.once('exit', () => rmSync(created, { recursive: true, force: true }));
    folder = created;
  }
  const outfile = join(folder, `${fn.name}.cjs`);
  const bundle =
    bundles.get(fn.name) ??
    build({
      entryPoints: [join(SERVICE, fn.handlerFile)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node24',
      treeShaking: true,
      external: ['sharp'],
      logLevel: 'silent',
    }).then(() => outfile);
  bundles.set(fn.name, bundle);
  return bundle;
}

/**
 * Runs `script` (CommonJS) in a new Node process, with exactly `env` (and PATH) when given, else this
 * process's environment; its output, trimmed.
 */
export function runInNode(script: string, env?: Record<string, string>): string {
  return execFileSync(process.execPath, ['-e', script], {
    encoding: 'utf8',
    env: env === undefined ? process.env : { PATH: process.env.PATH ?? '', ...env },
  }).trim();
}
