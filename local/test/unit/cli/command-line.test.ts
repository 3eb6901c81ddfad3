import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { describeRange, numberWithin } from '../../../src/cli/command-line';
import { REPO_ROOT } from '../../../src/cloud/layout';

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a CLI of local/src/cli as its npm script does, and resolves with how it ended. */
function run(cli: string, args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'local', 'src', 'cli', `${cli}.ts`), ...args],
      { cwd: REPO_ROOT, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const OPTIONS: Record<string, string[]> = {
  start: ['--fresh', '--param', '--verbose', '--state-dir', '--extra-service', '--retry-delay-scale'],
  trigger: ['--state-dir'],
  env: ['--state-dir'],
  invoke: ['--event', '--state-dir'],
  logs: ['--follow', '--state-dir'],
};

describe('command lines (npm start, npm run trigger, env, invoke, logs)', function () {
  this.timeout(60_000);
  let stateDir: string;

  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'cli-test-'));
  });

  after(() => rm(stateDir, { recursive: true, force: true }));

  for (const [cli, options] of Object.entries(OPTIONS)) {
    it(`${cli} --help prints its usage and every option, and exits 0`, async () => {
      // A state folder that must stay untouched: --help starts nothing and takes no lock.
      const untouched = join(stateDir, `${cli}-help`);

      const { code, stdout, stderr } = await run(cli, ['--help', '--state-dir', untouched]);

      expect(code, stderr).to.equal(0);
      expect(stderr).to.equal('');
      expect(stdout).to.match(/^Usage: npm /);
      for (const option of [...options, '--help']) expect(stdout).to.include(option);
      expect(existsSync(untouched)).to.equal(false);
    });

    it(`${cli} -h is --help, even beside an option it does not know`, async () => {
      const { code, stdout } = await run(cli, ['--no-such-option', '-h']);

      expect(code).to.equal(0);
      expect(stdout).to.match(/^Usage: npm /);
    });

    it(`${cli} refuses an unknown option in one line, with exit code 2`, async () => {
      const { code, stdout, stderr } = await run(cli, ['--no-such-option']);

      expect(code).to.equal(2);
      expect(stdout).to.equal('');
      expect(stderr.trimEnd().split('\n')).to.have.lengthOf(1);
      expect(stderr).to.include("unknown option '--no-such-option'");
      expect(stderr).to.include('--help');
      expect(stderr).not.to.match(/\bat .*\.(ts|js):\d+/);
    });
  }

  it('start refuses a --param without a value, and a --retry-delay-scale that is no number', async () => {
    for (const args of [['--param', 'labelDetection'], ['--retry-delay-scale', 'fast'], ['--state-dir']]) {
      const { code, stderr } = await run('start', [...args, '--state-dir', join(stateDir, 'never')]);

      expect(code, args.join(' ')).to.equal(2);
      expect(stderr.trimEnd().split('\n'), args.join(' ')).to.have.lengthOf(1);
    }
    expect(existsSync(join(stateDir, 'never'))).to.equal(false);
  });

  it('trigger without its service and function says what to name, with exit code 2', async () => {
    const { code, stderr } = await run('trigger', ['--state-dir', stateDir]);

    expect(code).to.equal(2);
    expect(stderr).to.include('name the service and the function');
  });
});

describe('number options (numberOption)', () => {
  it('takes a number within its range, bounds included and `above` excluded', () => {
    expect(numberWithin('20000', { above: 0 })).to.equal(20000);
    expect(numberWithin('0.5', { above: 0 })).to.equal(0.5);
    expect(numberWithin('1', { min: 0, max: 1 })).to.equal(1);
    expect(numberWithin('1e3', { min: 1, integer: true })).to.equal(1000);
  });

  it('refuses what is no number, out of range, or not whole where it must be', () => {
    for (const [text, range] of [
      ['abc', {}],
      ['', {}],
      [' ', {}],
      ['Infinity', {}],
      ['0', { above: 0 }],
      ['2', { min: 0, max: 1 }],
      ['-1', { min: 0 }],
      ['2.5', { min: 1, integer: true }],
    ] as const)
      expect(numberWithin(text, range), `${text} ${JSON.stringify(range)}`).to.equal(undefined);
  });

  it('says what a range takes', () => {
    expect(describeRange({ min: 1, max: 100_000, integer: true })).to.equal(
      'a whole number from 1 to 100000',
    );
    expect(describeRange({ above: 0 })).to.equal('a number above 0');
    expect(describeRange({ above: 0, max: 1 })).to.equal('a number above 0 and at most 1');
    expect(describeRange({ min: 0, integer: true })).to.equal('a whole number of at least 0');
    expect(describeRange({ max: 1 })).to.equal('a number of at most 1');
    expect(describeRange()).to.equal('a number');
  });
});
