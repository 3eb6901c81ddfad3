import { LOCAL_ACCOUNT_ID } from '../../templates/stack';
import { defineEmulator } from '../emulator-definition';
import { startCloudTrailProxy } from './proxy';

/**
 * CloudTrail for EC2, in front of moto: the SDK's EC2, STS and Glue endpoints point here; each call is
 * answered by moto in its caller's account, and the mutating EC2 calls reach the local default bus as
 * "AWS API Call via CloudTrail" events (proxy.ts).
 */
export const cloudTrail = defineEmulator({
  name: 'cloudtrail',
  endpointVariables: { glue: 'GLUE', ec2: 'EC2', sts: 'STS' },
  preferredPort: 4014,
  needs: ['moto', 'eventbridge'],
  start: ({ port, endpointOf, log }) =>
    startCloudTrailProxy({
      port,
      motoEndpoint: endpointOf('moto'),
      eventBridgeEndpoint: endpointOf('eventbridge'),
      defaultAccountId: LOCAL_ACCOUNT_ID,
      log,
    }),
});
