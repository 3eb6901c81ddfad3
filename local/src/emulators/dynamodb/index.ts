import { defineEmulator } from '../emulator-definition';
import { assertJavaRuntime, startDynamoDb } from './dynamodb-local';

/** DynamoDB and DynamoDB Streams: the official DynamoDB Local jar, which needs Java 17+. */
export const dynamodb = defineEmulator({
  name: 'dynamodb',
  endpointVariables: { dynamodb: 'DYNAMODB', dynamodbStreams: 'DYNAMODB_STREAMS' },
  preferredPort: 8000,
  missingPrerequisite: () =>
    assertJavaRuntime().then(
      () => undefined,
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    ),
  start: ({ port, dataDir, log }) => startDynamoDb({ port, dataDir, log }),
});
