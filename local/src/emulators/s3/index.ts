import { defineEmulator } from '../emulator-definition';
import { startS3 } from './s3rver';

/** S3: s3rver in-process; its object events become the buckets' notifications (triggers phase). */
export const s3 = defineEmulator({
  name: 's3',
  endpointVariables: { s3: 'S3' },
  preferredPort: 4569,
  start: ({ port, dataDir, log, credentials }) => startS3({ port, dataDir, log, credentials }),
});
