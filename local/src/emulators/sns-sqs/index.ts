import { defineEmulator } from '../emulator-definition';
import { startSnsSqs } from './fauxqs';

/** SNS and SQS on one port: fauxqs in-process. */
export const snsSqs = defineEmulator({
  name: 'sns-sqs',
  endpointVariables: { sqs: 'SQS', sns: 'SNS' },
  preferredPort: 4575,
  start: ({ port, dataDir, log }) => startSnsSqs({ port, dataDir, log }),
});
