import { defineEmulator } from '../emulator-definition';
import { startRekognition } from './start-rekognition';

/** Rekognition DetectLabels on an offline detector, in a child process; Image.S3Object is read through S3. */
export const rekognition = defineEmulator({
  name: 'rekognition',
  endpointVariables: { rekognition: 'REKOGNITION' },
  preferredPort: 4012,
  needs: ['s3'],
  start: ({ port, dataDir, log, endpointOf, credentials, region }) =>
    startRekognition({
      port,
      dataDir,
      log,
      s3Endpoint: endpointOf('s3'),
      s3Credentials: credentials,
      region,
    }),
});
