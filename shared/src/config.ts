export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * A service's configuration: one object, every variable named once. Each setting is read the first
 * time it is used (the composition module uses what its handler needs at cold start) and kept, so a
 * missing or invalid variable fails the cold start with its name, and a function is given only the
 * variables of what it uses (serverless.yml; some cannot be given to all, such as a state machine's
 * ARN to its own steps).
 */
export function defineConfig<const T extends Record<string, () => unknown>>(
  readers: T,
): { readonly [K in keyof T]: ReturnType<T[K]> } {
  const values = new Map<keyof T, unknown>();
  const config = {} as { [K in keyof T]: ReturnType<T[K]> };
  for (const name of Object.keys(readers) as (keyof T)[]) {
    Object.defineProperty(config, name, {
      enumerable: true,
      get: () => {
        if (!values.has(name)) values.set(name, (readers[name] as () => unknown)());
        return values.get(name);
      },
    });
  }
  return config;
}

interface ReadOptions<T> {
  default?: T;
  env?: NodeJS.ProcessEnv;
}

const INTEGER_PATTERN = /^-?\d+$/;
const BOOLEAN_VALUES: Readonly<Record<string, boolean>> = { true: true, false: false, '1': true, '0': false };

export function readString(name: string, options: ReadOptions<string> = {}): string {
  return readRaw(name, options) ?? required(name, options.default);
}

export function readInteger(
  name: string,
  options: ReadOptions<number> & { min?: number; max?: number } = {},
): number {
  const raw = readRaw(name, options);
  if (raw === undefined) return required(name, options.default);
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = options;
  const value = Number(raw);
  if (!INTEGER_PATTERN.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(name, `an integer${describeRange(options.min, options.max)}`, raw);
  }
  return value;
}

export function readBoolean(name: string, options: ReadOptions<boolean> = {}): boolean {
  const raw = readRaw(name, options);
  if (raw === undefined) return required(name, options.default);
  const value = BOOLEAN_VALUES[raw.toLowerCase()];
  if (value === undefined) throw invalid(name, 'one of true, false, 1, 0', raw);
  return value;
}

export function readOneOf<const T extends readonly string[]>(
  name: string,
  allowed: T,
  options: ReadOptions<T[number]> = {},
): T[number] {
  const raw = readRaw(name, options);
  if (raw === undefined) return required(name, options.default);
  const value = allowed.find((candidate) => candidate === raw);
  if (value === undefined) throw invalid(name, `one of ${allowed.join(', ')}`, raw);
  return value;
}

/** The trimmed value, or undefined when the variable is missing or blank. */
function readRaw(name: string, options: ReadOptions<unknown>): string | undefined {
  const value = (options.env ?? process.env)[name]?.trim();
  return value === '' ? undefined : value;
}

function required<T>(name: string, fallback: T | undefined): T {
  if (fallback === undefined) throw new ConfigError(`Environment variable ${name} is required but not set`);
  return fallback;
}

function invalid(name: string, expected: string, raw: string): ConfigError {
  return new ConfigError(`Environment variable ${name} must be ${expected}, got ${JSON.stringify(raw)}`);
}

function describeRange(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return ` between ${min} and ${max}`;
  if (min !== undefined) return ` of at least ${min}`;
  if (max !== undefined) return ` of at most ${max}`;
  return '';
}
