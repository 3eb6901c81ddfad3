import { join } from 'node:path';
import { type ParseArgsOptionDescriptor, parseArgs } from 'node:util';

/** An option of a command, as `node:util` parseArgs takes it, with what `--help` says about it. */
export type CommandOption = ParseArgsOptionDescriptor & {
  /** What --help says it does. */
  description: string;
  /** The value's name in --help ('<dir>'); string options only. */
  placeholder?: string;
};

export interface Command<Options extends Record<string, CommandOption>> {
  /** How it is run: 'npm start --'. */
  invocation: string;
  /** What follows the invocation in the usage line: '[options]', '<service> <function> [options]'. */
  synopsis: string;
  /** What it does, a few lines. */
  about: string;
  options: Options;
  allowPositionals?: boolean;
}

/**
 * --cloud, for the tools that talk to a running local cloud: the cloud.json `npm start` wrote. A tool
 * that falls back to AWS without it leaves the default out and reads LOCAL_CLOUD_FILE itself.
 */
export const CLOUD_OPTION = {
  type: 'string',
  placeholder: '<cloud.json>',
  description: "the local cloud's description (default .local/cloud.json)",
} as const satisfies CommandOption;

/** Where `npm start` writes its description; npm runs scripts from the repository's root. */
export const LOCAL_CLOUD_FILE = join('.local', 'cloud.json');

/** The exit code of a command line that cannot be run as written (as getopt-style tools use it). */
export const USAGE_ERROR = 2;

/** The usage line, what the command does and every option, for --help. */
export function helpText(command: Command<Record<string, CommandOption>>): string {
  const rows: [string, string][] = Object.entries(command.options).map(([name, option]) => [
    `${option.short ? `-${option.short}, ` : ''}--${name}${option.type === 'string' ? ` ${option.placeholder ?? '<value>'}` : ''}`,
    `${option.description}${option.multiple ? '; repeatable' : ''}`,
  ]);
  rows.push(['-h, --help', 'print this help and exit']);
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return [
    `Usage: ${command.invocation} ${command.synopsis}`,
    '',
    command.about,
    '',
    'Options:',
    ...rows.map(([flag, description]) => `  ${flag.padEnd(width)}  ${description}`),
  ].join('\n');
}

/**
 * The command line parsed strictly: `--help` prints the help and exits 0; an unknown option, a
 * missing value or an unexpected argument is one line on stderr and exit 2, never a stack trace.
 */
export function parseCommandLine<const Options extends Record<string, CommandOption>>(
  command: Command<Options>,
  args: string[] = process.argv.slice(2),
) {
  const options = Object.fromEntries(
    Object.entries(command.options).map(([name, { description: _, placeholder: __, ...option }]) => [
      name,
      option,
    ]),
  ) as { [Name in keyof Options]: Omit<Options[Name], 'description' | 'placeholder'> };
  const config = {
    args,
    options: { ...options, help: { type: 'boolean', short: 'h' } as const },
    allowPositionals: command.allowPositionals ?? false,
    strict: true,
  } as const;
  let parsed: ReturnType<typeof parseArgs<typeof config>>;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    // --help wins over whatever else is wrong with the line.
    if (args.includes('--help') || args.includes('-h')) exitWithHelp(command);
    usageError(command.invocation, parseErrorMessage(error));
  }
  if ((parsed.values as { help?: boolean }).help) exitWithHelp(command);
  return parsed;
}

/** One line on stderr naming what is wrong and where the help is, then exit 2. */
export function usageError(invocation: string, message: string): never {
  const name = invocation.replace(/ --$/, '');
  console.error(`${name}: ${message}. See: ${invocation} --help`);
  process.exit(USAGE_ERROR);
}

/** The numbers an option takes: bounds included, `above` excluded. */
export interface NumberRange {
  min?: number;
  above?: number;
  max?: number;
  integer?: boolean;
}

/** `text` as a number within `range`, or undefined when it is none ('abc', '', 'Infinity', out of range). */
export function numberWithin(text: string, range: NumberRange = {}): number | undefined {
  const value = text.trim() === '' ? Number.NaN : Number(text);
  const { min = Number.NEGATIVE_INFINITY, above, max = Number.POSITIVE_INFINITY, integer = false } = range;
  if (!Number.isFinite(value) || value < min || value > max) return undefined;
  if ((above !== undefined && value <= above) || (integer && !Number.isInteger(value))) return undefined;
  return value;
}

/** What a range takes, for a usage error and a description: 'a whole number from 1 to 500'. */
export function describeRange({ min, above, max, integer = false }: NumberRange = {}): string {
  const kind = integer ? 'a whole number' : 'a number';
  if (min !== undefined && max !== undefined) return `${kind} from ${min} to ${max}`;
  if (above !== undefined) return `${kind} above ${above}${max !== undefined ? ` and at most ${max}` : ''}`;
  if (min !== undefined) return `${kind} of at least ${min}`;
  return max !== undefined ? `${kind} of at most ${max}` : kind;
}

/**
 * A number option's value, or a usage error naming the option and what it takes: `--rate abc` stops
 * the command before it does anything, rather than running with NaN.
 */
export function numberOption(
  invocation: string,
  name: string,
  text: string,
  range: NumberRange = {},
): number {
  const value = numberWithin(text, range);
  if (value === undefined) usageError(invocation, `--${name} takes ${describeRange(range)}, not '${text}'`);
  return value;
}

function exitWithHelp(command: Command<Record<string, CommandOption>>): never {
  console.log(helpText(command));
  process.exit(0);
}

/** parseArgs' own message, first sentence only ("Unknown option '--x'"), lower-cased for the line. */
function parseErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split(/\.\s/)[0] ?? message;
  return first.charAt(0).toLowerCase() + first.slice(1);
}
