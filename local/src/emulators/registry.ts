import { cloudTrail } from './cloudtrail';
import { cognito } from './cognito';
import { cognitoIdentity } from './cognito-identity';
import { dynamodb } from './dynamodb';
import type { EmulatorDefinition } from './emulator-definition';
import { eventBridge } from './eventbridge';
import { firehose } from './firehose';
import { kinesis } from './kinesis';
import { moto } from './moto';
import { rekognition } from './rekognition';
import { s3 } from './s3';
import { snsSqs } from './sns-sqs';
import { stepFunctions } from './step-functions';

/**
 * Every counterpart of an AWS service that the local cloud starts, one line each, side by side (the
 * emulators phase, cloud/phases/emulators.ts). Adding one: README.md, "How to add an emulator".
 */
export const EMULATORS = [
  dynamodb,
  s3,
  kinesis,
  snsSqs,
  cognito,
  cognitoIdentity,
  rekognition,
  stepFunctions,
  eventBridge,
  firehose,
  moto,
  cloudTrail,
] as const satisfies readonly EmulatorDefinition[];

type KeysOf<T> = T extends unknown ? keyof T & string : never;

/** An AWS service the local cloud serves, by its key in cloud.json's `endpoints`: 's3', 'stepfunctions'. */
export type LocalService = KeysOf<(typeof EMULATORS)[number]['endpointVariables']>;

/** The suffix of the SDK's AWS_ENDPOINT_URL_<SUFFIX> variable of every service the registry serves. */
export const ENDPOINT_VARIABLES = Object.fromEntries(
  EMULATORS.flatMap((emulator) => Object.entries(emulator.endpointVariables)),
) as Readonly<Record<LocalService, string>>;
