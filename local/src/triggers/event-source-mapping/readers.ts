import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand as GetStreamRecordsCommand,
  GetShardIteratorCommand as GetStreamShardIteratorCommand,
  type ShardIteratorType as StreamIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
  type ShardIteratorType,
} from '@aws-sdk/client-kinesis';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { QueueMessage, QueueReader } from './queue-consumer';
import type { ShardPosition, ShardReader, StreamRecord } from './shard-records';
import { asLambdaImage } from './stream-images';

function iteratorRequest(position: ShardPosition) {
  switch (position.type) {
    case 'TRIM_HORIZON':
    case 'LATEST':
      return { ShardIteratorType: position.type };
    case 'AT_TIMESTAMP':
      return { ShardIteratorType: 'AT_TIMESTAMP' as const, Timestamp: new Date(position.timestamp) };
    case 'AFTER_SEQUENCE_NUMBER':
      return {
        ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const,
        StartingSequenceNumber: position.sequenceNumber,
      };
    default:
      throw new Error(`no iterator for ${position.type}`);
  }
}

/** A continuation is the previous read's NextShardIterator; any other position asks for a new iterator. */
async function iteratorAt(
  position: ShardPosition,
  getIterator: (request: ReturnType<typeof iteratorRequest>) => Promise<string | undefined>,
): Promise<string | undefined> {
  return position.type === 'CONTINUATION' ? position.token : getIterator(iteratorRequest(position));
}

/** Reads one Kinesis shard; records become the Kinesis event records of kinesis-get-records.json. */
export function kinesisShardReader(
  kinesis: KinesisClient,
  stream: { name: string; arn: string; shardId: string; region: string },
): ShardReader {
  return {
    async read(position, limit) {
      const iterator = await iteratorAt(position, async (request) => {
        const command = new GetShardIteratorCommand({
          StreamName: stream.name,
          ShardId: stream.shardId,
          ...(request as { ShardIteratorType: ShardIteratorType }),
        });
        return (await kinesis.send(command)).ShardIterator;
      });
      const response = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));
      const records: StreamRecord[] = (response.Records ?? []).map((record) => {
        const arrival = record.ApproximateArrivalTimestamp?.getTime() ?? Date.now();
        const sequenceNumber = record.SequenceNumber as string;
        return {
          sequenceNumber,
          partitionKey: record.PartitionKey as string,
          approximateArrivalTimestamp: arrival,
          body: {
            kinesis: {
              kinesisSchemaVersion: '1.0',
              partitionKey: record.PartitionKey,
              sequenceNumber,
              data: Buffer.from(record.Data ?? new Uint8Array()).toString('base64'),
              approximateArrivalTimestamp: arrival / 1000,
            },
            eventSource: 'aws:kinesis',
            eventVersion: '1.0',
            eventID: `${stream.shardId}:${sequenceNumber}`,
            eventName: 'aws:kinesis:record',
            invokeIdentityArn: 'arn:aws:iam::000000000000:role/local',
            awsRegion: stream.region,
            eventSourceARN: stream.arn,
          },
        };
      });
      return {
        records,
        ...(response.NextShardIterator
          ? { nextPosition: { type: 'CONTINUATION', token: response.NextShardIterator } }
          : {}),
        shardEnded: response.NextShardIterator === undefined || response.NextShardIterator === null,
      };
    },
  };
}

export async function kinesisShardIds(kinesis: KinesisClient, streamName: string): Promise<string[]> {
  const { Shards } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  return (Shards ?? []).map((shard) => shard.ShardId as string);
}

/** Reads one DynamoDB stream shard; records become the records of dynamodb-update.json. */
export function dynamodbShardReader(
  streams: DynamoDBStreamsClient,
  stream: { arn: string; shardId: string; region: string },
): ShardReader {
  return {
    async read(position, limit) {
      const iterator = await iteratorAt(position, async (request) => {
        // DynamoDB Streams names the sequence number SequenceNumber where Kinesis says StartingSequenceNumber.
        // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_GetShardIterator.html
        const { StartingSequenceNumber, ...rest } = request as {
          ShardIteratorType: StreamIteratorType;
          StartingSequenceNumber?: string;
        };
        const command = new GetStreamShardIteratorCommand({
          StreamArn: stream.arn,
          ShardId: stream.shardId,
          ...rest,
          ...(StartingSequenceNumber === undefined ? {} : { SequenceNumber: StartingSequenceNumber }),
        });
        return (await streams.send(command)).ShardIterator;
      });
      const response = await streams.send(
        new GetStreamRecordsCommand({ ShardIterator: iterator, Limit: limit }),
      );
      const records: StreamRecord[] = (response.Records ?? []).map((record) => {
        const change = record.dynamodb ?? {};
        const created = change.ApproximateCreationDateTime?.getTime() ?? Date.now();
        return {
          sequenceNumber: change.SequenceNumber as string,
          keys: change.Keys as Record<string, unknown>,
          approximateArrivalTimestamp: created,
          body: {
            eventID: record.eventID,
            eventName: record.eventName,
            eventVersion: '1.1',
            eventSource: 'aws:dynamodb',
            awsRegion: stream.region,
            dynamodb: {
              ApproximateCreationDateTime: Math.floor(created / 1000),
              Keys: asLambdaImage(change.Keys ?? {}),
              ...(change.NewImage ? { NewImage: asLambdaImage(change.NewImage) } : {}),
              ...(change.OldImage ? { OldImage: asLambdaImage(change.OldImage) } : {}),
              SequenceNumber: change.SequenceNumber,
              SizeBytes: change.SizeBytes,
              StreamViewType: change.StreamViewType,
            },
            eventSourceARN: stream.arn,
          },
        };
      });
      return {
        records,
        ...(response.NextShardIterator
          ? { nextPosition: { type: 'CONTINUATION', token: response.NextShardIterator } }
          : {}),
        shardEnded: !response.NextShardIterator,
      };
    },
  };
}

export async function dynamodbShardIds(streams: DynamoDBStreamsClient, streamArn: string): Promise<string[]> {
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  return (StreamDescription?.Shards ?? []).map((shard) => shard.ShardId as string);
}

/** Receives from an SQS queue for an event source mapping. */
export function sqsQueueReader(sqs: SQSClient, queueUrl: string): QueueReader {
  return {
    async receive(maxMessages, waitSeconds) {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: maxMessages,
          WaitTimeSeconds: waitSeconds,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      return (Messages ?? []).map(
        (message): QueueMessage => ({
          messageId: message.MessageId as string,
          receiptHandle: message.ReceiptHandle as string,
          body: message.Body ?? '',
          attributes: (message.Attributes ?? {}) as Record<string, string>,
          messageAttributes: Object.fromEntries(
            Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
              name,
              {
                stringValue: value.StringValue,
                binaryValue: value.BinaryValue,
                dataType: value.DataType,
                stringListValues: [],
                binaryListValues: [],
              },
            ]),
          ),
          md5OfBody: message.MD5OfBody ?? '',
          ...(message.MD5OfMessageAttributes
            ? { md5OfMessageAttributes: message.MD5OfMessageAttributes }
            : {}),
        }),
      );
    },
    async delete(receiptHandles) {
      for (let start = 0; start < receiptHandles.length; start += 10) {
        const entries = receiptHandles
          .slice(start, start + 10)
          .map((handle, index) => ({ Id: String(index), ReceiptHandle: handle }));
        await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      }
    },
    async changeVisibility(receiptHandles, visibilityTimeoutSeconds) {
      for (let start = 0; start < receiptHandles.length; start += 10) {
        const entries = receiptHandles.slice(start, start + 10).map((handle, index) => ({
          Id: String(index),
          ReceiptHandle: handle,
          VisibilityTimeout: visibilityTimeoutSeconds,
        }));
        await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      }
    },
  };
}
