/**
 * npm run lint:templates: packages every service for the dev and prod stages and runs cfn-lint, the
 * CloudFormation linter AWS maintains, on each template, with every rule on (none is skipped: the shared
 * plugin cleans what osls and its plugins would have it flag). Exits non-zero on any error or warning.
 * cfn-lint comes with Python: pip install cfn-lint.
 * https://github.com/aws-cloudformation/cfn-lint
 */
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseCommandLine } from '@serverless-patterns/local/command-line';

const ROOT = join(import.meta.dirname, '..', '..');

// It takes no options: --help says what it does, anything else is refused rather than ignored (a run
// packages every service twice).
parseCommandLine({
  invocation: 'npm run lint:templates --',
  synopsis: '[options]',
  about: [
    'Packages every service for the dev and prod stages and runs cfn-lint, the CloudFormation linter AWS',
    "maintains, on each template and on the delivery pipeline's, with every rule on. Exits 1 on any error",
    'or warning, 2 without cfn-lint (pip install cfn-lint).',
  ].join('\n'),
  options: {},
});
const STAGES = ['dev', 'prod'];
const SERVICES = ['foundation', 'api', 'catalog', 'clickstream', 'image-pipeline', 'ops'];

async function main(): Promise<number> {
  const version = await promisify(execFile)('cfn-lint', ['--version']).catch(() => undefined);
  if (version === undefined) {
    console.error(
      'cfn-lint is not installed: pip install cfn-lint (it comes with the AWS tools for Python).',
    );
    return 2;
  }
  console.log(`${version.stdout.trim()}, every rule on`);
  let failed = false;
  for (const stage of STAGES) {
    console.log(`\npackaging every service for stage ${stage}...`);
    await run('npm', ['run', '--silent', 'package', '--', '--stage', stage], { quiet: true });
    const templates = SERVICES.map((service) =>
      join('services', service, '.serverless', 'cloudformation-template-update-stack.json'),
    );
    const code = await run('cfn-lint', ['--', ...templates]);
    console.log(
      code === 0 ? `stage ${stage}: no findings` : `stage ${stage}: cfn-lint found problems (above)`,
    );
    failed ||= code !== 0;
  }
  // The delivery pipeline's stack, deployed once per account (pipeline/README.md).
  const pipeline = await run('cfn-lint', ['--', join('pipeline', 'pipeline.yml')]);
  console.log(pipeline === 0 ? 'pipeline: no findings' : 'pipeline: cfn-lint found problems (above)');
  return failed || pipeline !== 0 ? 1 : 0;
}

function run(command: string, args: string[], { quiet = false } = {}): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      stdio: quiet ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    });
    child.once('error', fail);
    child.once('close', (code) => {
      if (quiet && code !== 0) fail(new Error(`${command} ${args.join(' ')} exited with ${code}`));
      else done(code ?? 1);
    });
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
