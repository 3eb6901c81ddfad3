import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { tracer } from '../observability';
import { clientDefaults } from './client-defaults';

// HTTP/1.1 for every Kinesis call: the platform only puts and reads records (consumers are
// Lambda event source mappings), so nothing needs the HTTP/2 of SubscribeToShard. The local
// stream serves the SDK's default HTTP/2 client too (local/src/emulators/kinesis/http2-front.ts).
export const kinesis = tracer.captureAWSv3Client(
  new KinesisClient({ ...clientDefaults, requestHandler: new NodeHttpHandler() }),
);
