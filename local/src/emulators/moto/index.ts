import { LOCAL_ACCOUNT_ID } from '../../templates/stack';
import { defineEmulator } from '../emulator-definition';
import { missingMotoServer, startMotoServer } from './moto-server';

/** Glue Data Catalog, EC2 and STS: moto's server (Python: `pip install 'moto[server]'`), in memory. */
export const moto = defineEmulator({
  name: 'moto',
  endpointVariables: { glue: 'GLUE', ec2: 'EC2', sts: 'STS' },
  preferredPort: 4013,
  missingPrerequisite: () => missingMotoServer(),
  start: ({ port, log }) => startMotoServer({ port, accountId: LOCAL_ACCOUNT_ID, log }),
});
