import { LOCAL_ACCOUNT_ID } from '../../templates/stack';
import { defineEmulator } from '../emulator-definition';
import { startFirehose } from './start-firehose';

/**
 * Firehose: PutRecord(Batch) and the delivery streams in-process, each with its journal on disk. The
 * streams come from the templates once the functions they invoke run (phases/triggers.ts loads them).
 */
export const firehose = defineEmulator({
  name: 'firehose',
  endpointVariables: { firehose: 'FIREHOSE' },
  // LocalStack's historical Firehose port.
  preferredPort: 4573,
  start: ({ port, dataDir, region, log }) =>
    startFirehose({ port, dataDir, region, accountId: LOCAL_ACCOUNT_ID, log }),
});
