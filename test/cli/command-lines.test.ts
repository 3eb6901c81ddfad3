import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { USAGE_ERROR } from '@serverless-patterns/local/command-line';
import { expect } from 'chai';

const REPO = join(import.meta.dirname, '..', '..');
/** The project's Node, as npm scripts find it first on their PATH. */
const NODE = join(REPO, 'node_modules', '.bin', 'node');

/** How package.json runs a project CLI. */
const COMMAND_LINE = /^node --import tsx (\S+\.ts)$/;

/** The scripts of package.json that are no project CLI of this rule, each with why. */
const NOT_COMMAND_LINES: [RegExp, string][] = [
  [/^start$/, 'npm start, not npm run start: local/test/unit/cli/command-line.test.ts runs its --help'],
  [/^test$/, 'the whole suite: Biome, tsc and mocha in a row'],
  [/^lint$/, "Biome's own command line"],
  [/^format$/, "Biome's own command line"],
  [/^typecheck$/, "tsc's own command line"],
  [/^package$/, "osls-compose's own command line (sls package of every service)"],
  [/^deploy$/, "osls-compose's own command line (sls deploy of every service)"],
  [/^bench(:|$)/, 'benchmarks: each measures for minutes, and they take no options a newcomer needs'],
];

const scripts = (
  JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;
const exempt = (name: string) => NOT_COMMAND_LINES.some(([pattern]) => pattern.test(name));
const commandLines = Object.entries(scripts)
  .filter(([name]) => !exempt(name))
  .map(([name, line]) => ({ name, line, file: COMMAND_LINE.exec(line)?.[1] }));

/** Command lines that must be refused before the command does anything, and what the refusal says. */
const REFUSED: { script: string; args: string[]; says: string }[] = [
  { script: 'clicks', args: ['--rate', 'abc'], says: "--rate takes a number above 0, not 'abc'" },
  { script: 'clicks', args: ['--rate'], says: "option '--rate <value>' argument missing" },
  { script: 'clicks', args: ['--target', 'kinesis'], says: "--target is firehose or api, not 'kinesis'" },
  {
    script: 'clicks',
    args: ['--batch', '2.5'],
    says: "--batch takes a whole number of at least 1, not '2.5'",
  },
  { script: 'thermostats', args: ['--hot', '2'], says: "--hot takes a number from 0 to 1, not '2'" },
  {
    script: 'thermostats',
    args: ['--devices', 'many'],
    says: "--devices takes a whole number from 1 to 100000, not 'many'",
  },
  { script: 'agent', args: [], says: 'name the log file to tail: --file <log>' },
  { script: 'job', args: [], says: 'name the job type' },
  {
    script: 'job',
    args: ['payroll'],
    says: "unknown job type 'payroll'; types: word-count, mortgage, compaction",
  },
  { script: 'job', args: ['mortgage', 'loans'], says: "'loans' is not name=value" },
  {
    script: 'lake:seed',
    args: ['--grams', 'x'],
    says: "--grams takes a whole number of at least 0, not 'x'",
  },
  {
    script: 'lake:seed',
    args: ['--first', '1905'],
    says: "--first takes a decade (1900, 1910, ...), not '1905'",
  },
  { script: 'ops:seed', args: ['extra'], says: "unexpected argument 'extra'" },
  {
    script: 'call:iam',
    args: ['--email', 'someone@example.com'],
    says: 'name who signs in: --email <email> --password <password>',
  },
  { script: 'smoke', args: [], says: 'name what to test: --stage <stage> or --cloud <cloud.json>' },
  {
    script: 'smoke',
    args: ['--stage', 'dev', '--cloud', 'cloud.json'],
    says: '--stage tests AWS and --cloud the local cloud: give one of them',
  },
];

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a script's file as `npm run <script> -- <args>` would, without npm's own lines around it. */
function run(file: string, args: string[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    // No stdin: a CLI that reads it (npm run trace) must not wait for it.
    const child = spawn(NODE, ['--import', 'tsx', file, ...args], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs `work` on every item, `atOnce` at a time (tsx takes about a second to start each). */
async function inTurns<Item, Result>(
  items: Item[],
  atOnce: number,
  work: (item: Item) => Promise<Result>,
): Promise<Result[]> {
  const results: Result[] = [];
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++)
      results[index] = await work(items[index] as Item);
  };
  await Promise.all(Array.from({ length: atOnce }, worker));
  return results;
}

const STACK_FRAME = /^\s+at .+/m;

/** `npm run <script>`, with npm's own options before the name where the CLI needs them (`npm run --silent env`). */
const npmRun = (script: string) => `npm run (?:--[a-z-]+ )*${script.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;

describe('the project CLIs of package.json: --help, and refusals in one line with exit code 2', function () {
  this.timeout(300_000);
  const outcomes = new Map<string, Outcome>();
  const key = (script: string, args: string[]) => [script, ...args].join(' ');

  before(async () => {
    const runs = [
      ...commandLines.flatMap(({ name }) => [
        { script: name, args: ['--help'] },
        { script: name, args: ['--no-such-option'] },
      ]),
      ...REFUSED,
    ];
    const results = await inTurns(runs, 4, ({ script, args }) => {
      const file = commandLines.find(({ name }) => name === script)?.file;
      return file === undefined ? Promise.resolve(undefined) : run(file, args);
    });
    runs.forEach(({ script, args }, index) => {
      const outcome = results[index];
      if (outcome !== undefined) outcomes.set(key(script, args), outcome);
    });
  });

  it('runs every script as node --import tsx <file>, unless it is listed with why it is no CLI', () => {
    expect(commandLines.length).to.be.greaterThan(0);
    for (const { name, line, file } of commandLines)
      expect(file, `npm run ${name}: "${line}"; a CLI of another shape needs its own test`).not.to.equal(
        undefined,
      );
    for (const [pattern, why] of NOT_COMMAND_LINES)
      expect(
        Object.keys(scripts).some((name) => pattern.test(name)),
        `${pattern} (${why}): no such script`,
      ).to.be.true;
  });

  for (const { name } of commandLines) {
    it(`npm run ${name} -- --help prints its usage, what it does and its options, and exits 0`, () => {
      const { code, stdout, stderr } = outcomes.get(key(name, ['--help'])) ?? expect.fail('did not run');

      expect(code, stderr).to.equal(0);
      expect(stderr).to.equal('');
      expect(stdout).to.match(new RegExp(`^Usage: ${npmRun(name)} --`));
      expect(stdout).to.include('\nOptions:\n').and.include('-h, --help');
    });

    it(`npm run ${name} refuses an unknown option in one line on stderr, with exit code 2`, () => {
      const outcome = outcomes.get(key(name, ['--no-such-option'])) ?? expect.fail('did not run');

      expectRefusal(name, outcome, "unknown option '--no-such-option'");
    });
  }

  for (const { script, args, says } of REFUSED)
    it(`npm run ${script} -- ${args.join(' ')} is refused: ${says}`, () => {
      const outcome = outcomes.get(key(script, args)) ?? expect.fail(`no script ${script}`);

      expectRefusal(script, outcome, says);
    });
});

function expectRefusal(script: string, { code, stdout, stderr }: Outcome, says: string) {
  expect(code, stderr).to.equal(USAGE_ERROR);
  expect(stdout).to.equal('');
  expect(stderr.trimEnd().split('\n'), stderr).to.have.lengthOf(1);
  expect(stderr).to.include(`: ${says}`);
  expect(stderr).to.match(new RegExp(`^${npmRun(script)}: .+\\. See: ${npmRun(script)} -- --help\\n$`));
  expect(stderr).not.to.match(STACK_FRAME);
}
