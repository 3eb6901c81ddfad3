import { defineEmulator } from '../emulator-definition';
import { startKinesisThread } from './kinesis-thread';

/**
 * Kinesis Data Streams: kinesalite in a worker thread of the cloud process (kinesis-thread.ts), behind
 * a front that speaks HTTP/2 and HTTP/1.1.
 */
export const kinesis = defineEmulator({
  name: 'kinesis',
  endpointVariables: { kinesis: 'KINESIS' },
  preferredPort: 4567,
  start: ({ port, dataDir, log }) => startKinesisThread({ port, dataDir, log }),
});
