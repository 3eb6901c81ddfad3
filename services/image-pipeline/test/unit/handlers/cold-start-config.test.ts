import { expect } from 'chai';
import { bundled, declaredFunctions, type FunctionDeclaration, runInNode } from '../bundled-functions';

// Each function is given only the variables of what it uses (serverless.yml), and reads them at cold
// start (its handler builds its parts at module scope; config.ts reads each setting when first used).
// So each handler is bundled as serverless-esbuild bundles it and started in a process of its own, with
// exactly the environment serverless.yml gives it, watching which variables it reads.

interface ColdStart {
  started: boolean;
  error?: string;
  /** Every environment variable the process read while the handler module loaded. */
  read: string[];
}

/** A value of the kind serverless.yml gives: its literal or its parameter's default, else a placeholder. */
function valueFor(written: string): string {
  const parameterDefault = /^\$\{param:\w+, '([^']*)'\}$/.exec(written)?.[1];
  if (parameterDefault !== undefined) return parameterDefault;
  return /^[\w.-]+$/.test(written) ? written : 'https://example.com/placeholder';
}

async function coldStart(fn: FunctionDeclaration, environment: Record<string, string>): Promise<ColdStart> {
  const outfile = await bundled(fn);
  const probe = `const read = new Set();
    const note = (name) => { if (typeof name === 'string') read.add(name); };
    process.env = new Proxy(process.env, {
      get: (target, name) => (note(name), Reflect.get(target, name)),
      has: (target, name) => (note(name), Reflect.has(target, name)),
    });
    let outcome = { started: true };
    try { require(${JSON.stringify(outfile)}); }
    catch (error) { outcome = { started: false, error: error.name + ': ' + error.message }; }
    console.log(JSON.stringify({ ...outcome, read: [...read] }));`;
  const output = runInNode(probe, { AWS_REGION: 'us-east-1', ...environment });
  return JSON.parse(output.slice(output.lastIndexOf('\n') + 1)) as ColdStart;
}

describe('function environments', function () {
  this.timeout(120_000);
  let functions: FunctionDeclaration[];
  /** Every variable serverless.yml gives any function of the service. */
  let serviceVariables: Set<string>;

  before(async () => {
    functions = await declaredFunctions();
    serviceVariables = new Set(functions.flatMap((fn) => Object.keys(fn.environment)));
  });

  it('reads the environment of every function from serverless.yml', () => {
    const startProcessing = functions.find((fn) => fn.name === 'startProcessing');

    expect(functions.length).to.be.greaterThan(10);
    expect(startProcessing?.environment).to.have.all.keys('IMAGES_TABLE_NAME', 'STATE_MACHINE_ARN');
  });

  it('starts every function with only the variables it is given, each of which it reads', async () => {
    const expected: Record<string, { started: boolean; reads: string[] }> = {};
    const actual: typeof expected = {};
    for (const fn of functions) {
      const given = Object.fromEntries(
        Object.entries(fn.environment).map(([name, written]) => [name, valueFor(written)]),
      );
      const { started, error, read } = await coldStart(fn, given);
      expected[fn.name] = { started: true, reads: Object.keys(given).sort() };
      actual[fn.name] = {
        started,
        reads: read.filter((name) => serviceVariables.has(name)).sort(),
        ...(error === undefined ? {} : { error }),
      };
    }

    // The state machine's steps start without STATE_MACHINE_ARN, which they could never be given.
    expect(actual).to.deep.equal(expected);
  });

  // Every variable given is read at cold start (above), and config.ts reads each through readString,
  // which fails on a missing one: two functions show it, one of them the trigger and one a step.
  for (const [name, missing] of [
    ['startProcessing', 'STATE_MACHINE_ARN'],
    ['storeResults', 'IMAGES_TABLE_NAME'],
  ] as const) {
    it(`fails the cold start of ${name} without ${missing}, naming it`, async () => {
      const fn = functions.find((candidate) => candidate.name === name);
      if (fn === undefined) return expect.fail(`no function ${name} in serverless.yml`);
      const given = Object.fromEntries(
        Object.entries(fn.environment)
          .filter(([variable]) => variable !== missing)
          .map(([variable, written]) => [variable, valueFor(written)]),
      );

      const { started, error } = await coldStart(fn, given);

      expect(started).to.equal(false);
      expect(error).to.equal(`ConfigError: Environment variable ${missing} is required but not set`);
    });
  }
});
