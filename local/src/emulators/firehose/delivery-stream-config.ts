/**
 * A delivery stream as the local Firehose runs it, read from an AWS::KinesisFirehose::DeliveryStream's
 * resolved properties with Firehose's defaults.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-kinesisfirehose-deliverystream.html
 */
import { functionNameOf } from '../../lambda/function-arn';
import { effectivePrefixes, lambdaPartitionKeys } from './prefixes';

const MIB = 1024 * 1024;

/** Where objects go, and when a buffer becomes one. */
export interface S3Output {
  bucket: string;
  bucketArn: string;
  /** After Firehose's semantic rules (prefixes.ts): what is evaluated for each object. */
  prefix: string;
  errorOutputPrefix: string;
  /** Whichever comes first: this many bytes (before compression)... */
  bufferSizeBytes: number;
  /** ...or this long since the buffer's first record. */
  bufferIntervalMs: number;
  compression: 'UNCOMPRESSED' | 'GZIP';
  /** Appended to every object's name. */
  fileExtension: string;
  /** The description DescribeDeliveryStream gives back. */
  described: Record<string, unknown>;
}

export interface LambdaProcessor {
  functionName: string;
  functionArn: string;
  /** The processor's own buffer: Firehose invokes the function with this much (or this old) data. */
  bufferSizeBytes: number;
  bufferIntervalMs: number;
  /** A failed invocation is tried this many more times before its records go to the error prefix. */
  numberOfRetries: number;
}

export interface DeliveryStreamConfig {
  name: string;
  arn: string;
  /** Starts at 1 and grows with each configuration change; part of every object's name. */
  version: number;
  destination: S3Output;
  processor?: LambdaProcessor;
  /** Partition keys (`!{partitionKeyFromLambda:...}`) the transformation must return for each Ok record. */
  partitionKeys: string[];
  dynamicPartitioning: boolean;
  /** S3BackupMode Enabled: every source record, untransformed, also goes here. */
  backup?: S3Output;
  encryption?: Record<string, unknown>;
}

export class DeliveryStreamConfigError extends Error {
  override readonly name = 'DeliveryStreamConfigError';
}

// Firehose's defaults: https://docs.aws.amazon.com/firehose/latest/APIReference/API_BufferingHints.html
// and https://docs.aws.amazon.com/firehose/latest/APIReference/API_ProcessorParameter.html
const DEFAULT_BUFFER_SIZE_MB = 5;
const DEFAULT_BUFFER_INTERVAL_SECONDS = 300;
const DEFAULT_PROCESSOR_BUFFER_SIZE_MB = 1;
const DEFAULT_PROCESSOR_BUFFER_INTERVAL_SECONDS = 60;
/** https://docs.aws.amazon.com/firehose/latest/dev/data-transformation-failure-handling.html */
const DEFAULT_NUMBER_OF_RETRIES = 3;

type Properties = Record<string, unknown>;

/** The stream of one resource's resolved properties; what the local Firehose cannot run throws, saying what. */
export function deliveryStreamConfig(
  name: string,
  arn: string,
  properties: Properties,
): DeliveryStreamConfig {
  const type = properties.DeliveryStreamType ?? 'DirectPut';
  if (type !== 'DirectPut')
    throw new DeliveryStreamConfigError(`${name}: only DirectPut streams are emulated, not ${String(type)}`);
  const extended = properties.ExtendedS3DestinationConfiguration as Properties | undefined;
  const plain = properties.S3DestinationConfiguration as Properties | undefined;
  const destination = extended ?? plain;
  if (destination === undefined)
    throw new DeliveryStreamConfigError(`${name}: only S3 destinations are emulated`);
  const dynamicPartitioning =
    (destination.DynamicPartitioningConfiguration as Properties | undefined)?.Enabled === true ||
    (destination.DynamicPartitioningConfiguration as Properties | undefined)?.Enabled === 'true';
  const output = s3Output(name, destination, { dynamicPartitioning });
  const processor = extended
    ? lambdaProcessor(name, extended.ProcessingConfiguration as Properties)
    : undefined;
  const partitionKeys = lambdaPartitionKeys(output.prefix);
  if (partitionKeys.length > 0 && processor === undefined)
    throw new DeliveryStreamConfigError(`${name}: partitionKeyFromLambda needs a Lambda processor`);
  if (/!\{partitionKeyFromQuery:/.test(output.prefix))
    throw new DeliveryStreamConfigError(`${name}: partitionKeyFromQuery (jq) is not emulated; use a Lambda`);
  const backupMode = extended?.S3BackupMode ?? 'Disabled';
  const backupConfiguration = extended?.S3BackupConfiguration as Properties | undefined;
  if (backupMode === 'Enabled' && backupConfiguration === undefined)
    throw new DeliveryStreamConfigError(`${name}: S3BackupMode Enabled needs S3BackupConfiguration`);
  return {
    name,
    arn,
    version: 1,
    destination: output,
    ...(processor ? { processor } : {}),
    partitionKeys,
    dynamicPartitioning,
    // The backup's ErrorOutputPrefix is ignored: source records are never "failed".
    ...(backupMode === 'Enabled' && backupConfiguration
      ? { backup: s3Output(name, backupConfiguration, { dynamicPartitioning: false, backup: true }) }
      : {}),
    ...(properties.DeliveryStreamEncryptionConfigurationInput
      ? { encryption: properties.DeliveryStreamEncryptionConfigurationInput as Properties }
      : {}),
  };
}

function s3Output(
  stream: string,
  properties: Properties,
  options: { dynamicPartitioning: boolean; backup?: boolean },
): S3Output {
  const bucketArn = String(properties.BucketARN ?? '');
  const bucket = /^arn:aws[\w-]*:s3:::([^/]+)$/.exec(bucketArn)?.[1];
  if (bucket === undefined)
    throw new DeliveryStreamConfigError(`${stream}: BucketARN ${bucketArn} is not a bucket ARN`);
  const hints = (properties.BufferingHints ?? {}) as Properties;
  const compression = String(properties.CompressionFormat ?? 'UNCOMPRESSED');
  if (compression !== 'UNCOMPRESSED' && compression !== 'GZIP')
    throw new DeliveryStreamConfigError(
      `${stream}: CompressionFormat ${compression} is not emulated (GZIP, UNCOMPRESSED)`,
    );
  let prefixes: ReturnType<typeof effectivePrefixes>;
  try {
    prefixes = effectivePrefixes(
      optionalString(properties.Prefix),
      optionalString(properties.ErrorOutputPrefix),
      options,
    );
  } catch (error) {
    throw new DeliveryStreamConfigError(`${stream}: ${(error as Error).message}`, { cause: error });
  }
  const declaredExtension = optionalString(properties.FileExtension);
  return {
    bucket,
    bucketArn,
    ...prefixes,
    bufferSizeBytes: numberOf(hints.SizeInMBs, DEFAULT_BUFFER_SIZE_MB) * MIB,
    bufferIntervalMs: numberOf(hints.IntervalInSeconds, DEFAULT_BUFFER_INTERVAL_SECONDS) * 1000,
    compression,
    // Without a FileExtension, a GZIP object ends in .gz.
    fileExtension: declaredExtension ?? (compression === 'GZIP' ? '.gz' : ''),
    described: {
      RoleARN: properties.RoleARN,
      BucketARN: bucketArn,
      ...(properties.Prefix === undefined ? {} : { Prefix: properties.Prefix }),
      ...(properties.ErrorOutputPrefix === undefined
        ? {}
        : { ErrorOutputPrefix: properties.ErrorOutputPrefix }),
      BufferingHints: {
        SizeInMBs: numberOf(hints.SizeInMBs, DEFAULT_BUFFER_SIZE_MB),
        IntervalInSeconds: numberOf(hints.IntervalInSeconds, DEFAULT_BUFFER_INTERVAL_SECONDS),
      },
      CompressionFormat: compression,
      EncryptionConfiguration: { NoEncryptionConfig: 'NoEncryption' },
      ...(declaredExtension === undefined ? {} : { FileExtension: declaredExtension }),
    },
  };
}

function lambdaProcessor(stream: string, configuration: Properties | undefined): LambdaProcessor | undefined {
  if (configuration === undefined) return undefined;
  if (configuration.Enabled !== true && configuration.Enabled !== 'true') return undefined;
  const processors = (configuration.Processors ?? []) as { Type?: string; Parameters?: Properties[] }[];
  const lambda = processors.find((processor) => processor.Type === 'Lambda');
  const others = processors.filter(
    (processor) => processor.Type !== 'Lambda' && processor.Type !== 'AppendDelimiterToRecord',
  );
  if (others.length > 0)
    throw new DeliveryStreamConfigError(
      `${stream}: processors ${others.map((p) => p.Type).join(', ')} are not emulated`,
    );
  if (lambda === undefined) return undefined;
  const parameters = Object.fromEntries(
    (lambda.Parameters ?? []).map((parameter) => [String(parameter.ParameterName), parameter.ParameterValue]),
  );
  const functionArn = String(parameters.LambdaArn ?? '');
  const functionName = functionNameOf(functionArn);
  if (functionName === undefined)
    throw new DeliveryStreamConfigError(`${stream}: LambdaArn ${functionArn} is not a function`);
  return {
    functionName,
    functionArn,
    bufferSizeBytes: numberOf(parameters.BufferSizeInMBs, DEFAULT_PROCESSOR_BUFFER_SIZE_MB) * MIB,
    bufferIntervalMs:
      numberOf(parameters.BufferIntervalInSeconds, DEFAULT_PROCESSOR_BUFFER_INTERVAL_SECONDS) * 1000,
    numberOfRetries: numberOf(parameters.NumberOfRetries, DEFAULT_NUMBER_OF_RETRIES),
  };
}

function numberOf(value: unknown, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0)
    throw new DeliveryStreamConfigError(`${String(value)} is not a valid setting`);
  return number;
}

function optionalString(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : String(value);
}

/** DescribeDeliveryStream's DeliveryStreamDescription. */
export function describeDeliveryStream(
  config: DeliveryStreamConfig,
  createdAt: Date,
): Record<string, unknown> {
  const destination: Record<string, unknown> = {
    ...config.destination.described,
    S3BackupMode: config.backup ? 'Enabled' : 'Disabled',
    ...(config.backup ? { S3BackupDescription: config.backup.described } : {}),
    DynamicPartitioningConfiguration: { Enabled: config.dynamicPartitioning },
    ...(config.processor
      ? {
          ProcessingConfiguration: {
            Enabled: true,
            Processors: [
              {
                Type: 'Lambda',
                Parameters: [
                  { ParameterName: 'LambdaArn', ParameterValue: config.processor.functionArn },
                  {
                    ParameterName: 'NumberOfRetries',
                    ParameterValue: String(config.processor.numberOfRetries),
                  },
                  {
                    ParameterName: 'BufferSizeInMBs',
                    ParameterValue: String(config.processor.bufferSizeBytes / MIB),
                  },
                  {
                    ParameterName: 'BufferIntervalInSeconds',
                    ParameterValue: String(config.processor.bufferIntervalMs / 1000),
                  },
                ],
              },
            ],
          },
        }
      : {}),
  };
  return {
    DeliveryStreamName: config.name,
    DeliveryStreamARN: config.arn,
    DeliveryStreamStatus: 'ACTIVE',
    DeliveryStreamType: 'DirectPut',
    VersionId: String(config.version),
    CreateTimestamp: createdAt,
    ...(config.encryption
      ? { DeliveryStreamEncryptionConfiguration: { KeyType: config.encryption.KeyType, Status: 'ENABLED' } }
      : {}),
    Destinations: [
      {
        DestinationId: 'destinationId-000000000001',
        S3DestinationDescription: config.destination.described,
        ExtendedS3DestinationDescription: destination,
      },
    ],
    HasMoreDestinations: false,
  };
}
