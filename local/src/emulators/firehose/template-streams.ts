import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { resourcesOfKind } from '../../cloud/resource-kinds';
import { resolveProperties, type Stack } from '../../templates/stack';
import type { ObjectStore } from './delivery';
import { type DeliveryStreamConfig, deliveryStreamConfig } from './delivery-stream-config';

/**
 * The templates' delivery streams, by physical name; one the local Firehose cannot run (another
 * destination, a Kinesis source) is left out with a warning that says why.
 */
export function deliveryStreamsFrom(stacks: Iterable<Stack>): {
  streams: DeliveryStreamConfig[];
  warnings: string[];
} {
  const streams: DeliveryStreamConfig[] = [];
  const warnings: string[] = [];
  for (const stack of stacks) {
    for (const [logicalId] of resourcesOfKind(stack, 'AWS::KinesisFirehose::DeliveryStream')) {
      const name = stack.context.refs.get(logicalId);
      const arn = stack.context.attributes.get(`${logicalId}.Arn`);
      if (name === undefined || arn === undefined) continue;
      try {
        streams.push(deliveryStreamConfig(name, arn, resolveProperties(stack, logicalId)));
      } catch (error) {
        warnings.push(`${stack.service}: ${logicalId} is not delivered locally: ${(error as Error).message}`);
      }
    }
  }
  return { streams, warnings };
}

/** Objects written with PutObject, as Firehose writes them (no Content-Encoding, even for GZIP). */
export function s3ObjectStore(s3: S3Client): ObjectStore {
  return {
    async put(bucket, key, body) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
  };
}
