// Test helpers for every suite in the repository: contexts, events shaped like AWS's samples, log
// capture and SDK mocks. Tests only: no function's source imports it.

export {
  type ApiGatewayProxyEventOptions,
  apiGatewayProxyEvent,
} from './events/api-gateway';
export {
  type RequestAuthorizerEventOptions,
  requestAuthorizerEvent,
  type TokenAuthorizerEventOptions,
  tokenAuthorizerEvent,
} from './events/api-gateway-authorizers';
export {
  type DynamoDbStreamRecordOptions,
  dynamoDbStreamEvent,
  dynamoDbStreamRecord,
} from './events/dynamodb-streams';
export {
  type EventBridgeEventOptions,
  eventBridgeEvent,
  type ScheduledEventOptions,
  scheduledEvent,
} from './events/eventbridge';
export { type FirehoseRecordOptions, firehoseRecord, firehoseTransformationEvent } from './events/firehose';
export { type KinesisRecordOptions, kinesisEvent, kinesisRecord } from './events/kinesis';
export {
  type S3ObjectOptions,
  type S3RemovedObjectOptions,
  s3DeleteEvent,
  s3DeleteRecord,
  s3Event,
  s3PutEvent,
  s3PutRecord,
} from './events/s3';
export { type SnsRecordOptions, snsEvent, snsRecord } from './events/sns';
export { type SqsRecordOptions, sqsEvent, sqsRecord } from './events/sqs';
export { lambdaContext } from './lambda-context';
export {
  captureLogs,
  captureLogsInEachTest,
  type JsonEntry,
  type LogCapture,
  type LogEntry,
} from './log-capture';
export {
  type AwsClientStub,
  type ClientStubs,
  commandsSent,
  mockClient,
  mockClientsInEachTest,
  type SdkClient,
  type SentCommand,
} from './sdk-mocks';
export { variablesInThisSuite } from './suite-variables';
