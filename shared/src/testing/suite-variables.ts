/**
 * Sets `variables` in the enclosing describe's first before hook (so that handlers the suite loads in
 * its own before hook find their configuration at cold start) and restores what they replaced after
 * it. Each service's handler suites call it with the variables its serverless.yml gives the functions.
 */
export function variablesInThisSuite(variables: Readonly<Record<string, string>>): void {
  let saved: Record<string, string | undefined> = {};
  before(() => {
    saved = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
    Object.assign(process.env, variables);
  });
  after(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
}
