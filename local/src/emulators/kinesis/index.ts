import { defineEmulator } from '../emulator-definition';
import { startKinesis } from './kinesalite';

/** Kinesis Data Streams: kinesalite in-process, behind a front that speaks HTTP/2 and HTTP/1.1. */
export const kinesis = defineEmulator({
  name: 'kinesis',
  endpointVariables: { kinesis: 'KINESIS' },
  preferredPort: 4567,
  start: ({ port, dataDir }) => startKinesis({ port, dataDir }),
});
