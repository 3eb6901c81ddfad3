import { defineEmulator } from '../emulator-definition';
import { missingMotoServer, startMotoServer } from './moto-server';

/**
 * Glue Data Catalog, EC2 and STS: moto's server (Python: `pip install 'moto[server]'`), in memory. The SDK
 * reaches it through the CloudTrail proxy (../cloudtrail), which serves those endpoints and names each
 * caller's account; moto's own endpoint is for the proxy alone.
 */
export const moto = defineEmulator({
  name: 'moto',
  endpointVariables: {},
  preferredPort: 4013,
  missingPrerequisite: () => missingMotoServer(),
  start: ({ port, log }) => startMotoServer({ port, log }),
});
