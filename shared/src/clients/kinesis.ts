import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { tracer } from '../observability';
import { clientDefaults } from './client-defaults';

// HTTP/1.1 for every Kinesis call: the platform only puts and reads records (consumers are
// Lambda event source mappings), so nothing needs the HTTP/2 of SubscribeToShard, and
// HTTP/1.1 is what every Kinesis endpoint, emulators included, speaks.
export const kinesis = tracer.captureAWSv3Client(
  new KinesisClient({ ...clientDefaults, requestHandler: new NodeHttpHandler() }),
);
