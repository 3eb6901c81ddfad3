// Lambda's execution environments for serverless-offline, which replaces its LambdaFunctionPool with
// this one (see ../offline-fixes.mjs). serverless-offline 14 starts a new environment (a worker thread
// that loads the bundle again) for every request that finds none idle, with no limit: under 100
// concurrent requests that is 100 cold starts at once per function on a laptop's few cores, and the
// requests time out while the bundles load. As in Lambda, an environment here serves one invocation at
// a time and is reused warm by the next; unlike Lambda, whose fleet scales out, there are at most
// `concurrency` environments per function on this machine, and the invocations beyond that wait, in
// order, for one to be free. Waiting is not running: the function's timeout starts once it runs.
// https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html
// https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html

/** The part of serverless-offline's LambdaFunction (one execution environment) that the pool uses. */
export interface ExecutionEnvironment {
  setEvent(event: unknown): void;
  setClientContext(clientContext: unknown): void;
  runHandler(): Promise<unknown>;
  cleanup(): Promise<void>;
}

/** What serverless-offline's callers get from `get()`: set the event, then run it once. */
export interface Invocation {
  setEvent(event: unknown): void;
  setClientContext(clientContext: unknown): void;
  runHandler(): Promise<unknown>;
}

export interface ExecutionEnvironmentPoolOptions<Definition> {
  /** Starts an environment of the function (cold: its code loads on the first invocation). */
  create(functionKey: string, definition: Definition): ExecutionEnvironment;
  /** Environments per function at most; more concurrent invocations wait for one. */
  concurrency: number;
  /** An environment idle this long is shut down (serverless-offline's terminateIdleLambdaTime). */
  idleTimeoutMs: number;
  /** false for serverless-offline's --reloadHandler: every invocation gets a fresh environment. */
  reuse: boolean;
  now?: () => number;
}

/** LOCAL_LAMBDA_CONCURRENCY, else 2 per core: enough to overlap I/O, few enough to keep cold starts rare. */
export function concurrencyFrom(value: string | undefined, cores: number): number {
  if (value === undefined || value === '') return Math.max(2, 2 * cores);
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new RangeError(`LOCAL_LAMBDA_CONCURRENCY must be a whole number >= 1, not "${value}"`);
  }
  return parsed;
}

interface Started {
  environment: ExecutionEnvironment;
  /** The code generation it loaded: environments of an older one are not reused. */
  generation: number;
}

interface Idle extends Started {
  since: number;
}

type Waiter = (started: Started | Error) => void;

interface FunctionEnvironments<Definition> {
  /** Started and not shut down: busy or idle. */
  count: number;
  /** Most recently used last: the warmest is reused first, so that surplus ones idle out. */
  idle: Idle[];
  waiting: Waiter[];
  /** The function's definition, to start environments for waiting invocations. */
  definition?: Definition;
}

export class ExecutionEnvironmentPool<Definition> {
  readonly #options: ExecutionEnvironmentPoolOptions<Definition>;
  readonly #functions = new Map<string, FunctionEnvironments<Definition>>();
  readonly #now: () => number;
  #generation = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: ExecutionEnvironmentPoolOptions<Definition>) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new RangeError(`concurrency must be a whole number >= 1, not ${options.concurrency}`);
    }
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
  }

  start(): void {
    const every = Math.max(1_000, this.#options.idleTimeoutMs);
    this.#timer ??= setInterval(() => void this.shutDownIdle(), every);
    this.#timer.unref();
  }

  /**
   * Shuts down every environment, as serverless-offline asks when the code was rebuilt
   * (offline:functionsUpdated:cleanup) and when it stops: idle ones now, busy ones when their
   * invocation ends. Invocations still waiting get environments that load the new code.
   */
  async cleanup(): Promise<void> {
    this.#generation += 1;
    const stopping: Promise<void>[] = [];
    for (const environments of this.#functions.values()) {
      environments.count -= environments.idle.length;
      stopping.push(...environments.idle.splice(0).map(({ environment }) => environment.cleanup()));
    }
    await Promise.all(stopping);
  }

  /** Environments of the function that exist now (busy or idle). */
  size(functionKey: string): number {
    return this.#functions.get(functionKey)?.count ?? 0;
  }

  /** Invocations of the function waiting for an environment. */
  waiting(functionKey: string): number {
    return this.#functions.get(functionKey)?.waiting.length ?? 0;
  }

  get(functionKey: string, definition: Definition): Invocation {
    let event: unknown;
    let clientContext: unknown;
    return {
      setEvent: (value) => {
        event = value;
      },
      setClientContext: (value) => {
        clientContext = value;
      },
      runHandler: async () => {
        const started = await this.#acquire(functionKey, definition);
        try {
          started.environment.setClientContext(clientContext);
          started.environment.setEvent(event);
          return await started.environment.runHandler();
        } finally {
          this.#release(functionKey, started);
        }
      },
    };
  }

  /** Shuts down the environments idle for longer than idleTimeoutMs. */
  async shutDownIdle(): Promise<void> {
    const cutoff = this.#now() - this.#options.idleTimeoutMs;
    const stopping: Promise<void>[] = [];
    for (const environments of this.#functions.values()) {
      const stale = environments.idle.filter(({ since }) => since <= cutoff);
      if (stale.length === 0) continue;
      environments.idle = environments.idle.filter(({ since }) => since > cutoff);
      environments.count -= stale.length;
      stopping.push(...stale.map(({ environment }) => environment.cleanup()));
    }
    await Promise.all(stopping);
  }

  #environments(functionKey: string): FunctionEnvironments<Definition> {
    let environments = this.#functions.get(functionKey);
    if (environments === undefined) {
      environments = { count: 0, idle: [], waiting: [] };
      this.#functions.set(functionKey, environments);
    }
    return environments;
  }

  /** A new environment, counted; an Error when it cannot be created. */
  #create(functionKey: string, environments: FunctionEnvironments<Definition>): Started | Error {
    try {
      const environment = this.#options.create(functionKey, environments.definition as Definition);
      environments.count += 1;
      return { environment, generation: this.#generation };
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  #acquire(functionKey: string, definition: Definition): Promise<Started> {
    const environments = this.#environments(functionKey);
    environments.definition = definition;
    const warm = environments.idle.pop();
    if (warm !== undefined) return Promise.resolve(warm);
    if (environments.count < this.#options.concurrency) {
      const created = this.#create(functionKey, environments);
      return created instanceof Error ? Promise.reject(created) : Promise.resolve(created);
    }
    return new Promise((resolve, reject) => {
      environments.waiting.push((started) => (started instanceof Error ? reject(started) : resolve(started)));
    });
  }

  #release(functionKey: string, started: Started): void {
    const environments = this.#environments(functionKey);
    const next = environments.waiting.shift();
    if (this.#options.reuse && started.generation === this.#generation) {
      if (next !== undefined) next(started);
      else environments.idle.push({ ...started, since: this.#now() });
      return;
    }
    // Done with (--reloadHandler, or its code was rebuilt): a waiting invocation gets a new one.
    void started.environment.cleanup();
    environments.count -= 1;
    if (next !== undefined) next(this.#create(functionKey, environments));
  }
}
