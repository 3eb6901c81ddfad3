import type { RunningEmulator } from './emulator';

/**
 * The shape of every counterpart of an AWS service in the local cloud: one folder,
 * `local/src/emulators/<name>/index.ts`, that exports one definition, and one line in registry.ts.
 * The cloud's endpoints, its environment (`npm run env`), its clients and cloud.json follow from the
 * registry; README.md, "How to add an emulator", walks through it.
 */
export interface EmulatorDefinition<Running extends RunningEmulator = RunningEmulator> {
  /** Its name in logs, in cloud.json's processes and in `needs`: 'dynamodb', 'sns-sqs'. */
  name: string;
  /**
   * The AWS services it answers, as cloud.json's `endpoints` keys, each with the suffix of the SDK's
   * own variable, AWS_ENDPOINT_URL_<SUFFIX>: one server may answer several (SNS and SQS).
   * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
   */
  endpointVariables: Readonly<Record<string, string>>;
  /** The port `npm start` takes when it is free, so that URLs stay the same from one run to the next. */
  preferredPort: number;
  /**
   * The emulators whose address it needs (Rekognition reads images through S3). Every emulator
   * starts side by side with the others: it gets their endpoints, not the promise that they answer.
   */
  needs?: readonly string[];
  /**
   * What must be installed first (Java for DynamoDB Local): resolves to undefined when it is there,
   * else to a message that names what is missing and how to install it. The cloud then starts the
   * rest, and the emulator's endpoint answers every call with that message.
   */
  missingPrerequisite?(): Promise<string | undefined>;
  /** Starts it on `context.port`; the returned `stop()` undoes everything (and ends its process). */
  start(context: EmulatorContext): Promise<Running>;
}

export interface EmulatorContext {
  /** `npm start`: the preferred port when it is free; a cloud with its own state folder: any free one. */
  port: number;
  /** Its own folder for what it persists, under the cloud's data folder. */
  dataDir: string;
  region: string;
  /** The credentials every process of the local cloud signs with; emulators check no signature. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The endpoint of an emulator named in `needs` (any other name throws). */
  endpointOf(name: string): string;
  log: (line: string) => void;
}

/** Keeps the literal types of a definition (its endpoint keys, its running type) for the registry. */
export function defineEmulator<const Definition extends EmulatorDefinition<RunningEmulator>>(
  definition: Definition,
): Definition {
  return definition;
}

/** What a definition's start() resolves to. */
export type RunningOf<Definition> = Definition extends EmulatorDefinition<infer Running> ? Running : never;
