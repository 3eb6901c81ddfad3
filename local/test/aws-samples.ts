/**
 * Copies of AWS's sample events (aws-sample-events/, rendered from `sam local generate-event`,
 * Apache-2.0), so that the tests compare what the local cloud delivers with the shapes AWS documents
 * without reading anything outside the repository.
 */

/** kinesis-kinesis-firehose.json: a Firehose data-transformation invocation. */
export const firehoseTransformation = {
  invocationId: 'invocationIdExample',
  deliveryStreamArn: 'arn:aws:kinesis:EXAMPLE',
  region: 'us-east-1',
  records: [
    {
      recordId: '49546986683135544286507457936321625675700192471156785154',
      approximateArrivalTimestamp: 1495072949453,
      data: 'SGVsbG8sIHRoaXMgaXMgYSB0ZXN0IDEyMy4=',
    },
  ],
};

/** s3-put.json */
export const s3Put = {
  Records: [
    {
      eventVersion: '2.0',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventTime: '1970-01-01T00:00:00.000Z',
      eventName: 'ObjectCreated:Put',
      userIdentity: {
        principalId: 'EXAMPLE',
      },
      requestParameters: {
        sourceIPAddress: '127.0.0.1',
      },
      responseElements: {
        'x-amz-request-id': 'EXAMPLE123456789',
        'x-amz-id-2': 'EXAMPLE123/5678abcdefghijklambdaisawesome/mnopqrstuvwxyzABCDEFGH',
      },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'testConfigRule',
        bucket: {
          name: 'example-bucket',
          ownerIdentity: {
            principalId: 'EXAMPLE',
          },
          arn: 'arn:aws:s3:::example-bucket',
        },
        object: {
          key: 'test/key',
          size: 1024,
          eTag: '0123456789abcdef0123456789abcdef',
          sequencer: '0A1B2C3D4E5F678901',
        },
      },
    },
  ],
} as const;

/** s3-delete.json */
export const s3Delete = {
  Records: [
    {
      eventVersion: '2.0',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventTime: '1970-01-01T00:00:00.000Z',
      eventName: 'ObjectRemoved:Delete',
      userIdentity: {
        principalId: 'EXAMPLE',
      },
      requestParameters: {
        sourceIPAddress: '127.0.0.1',
      },
      responseElements: {
        'x-amz-request-id': 'EXAMPLE123456789',
        'x-amz-id-2': 'EXAMPLE123/5678abcdefghijklambdaisawesome/mnopqrstuvwxyzABCDEFGH',
      },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'testConfigRule',
        bucket: {
          name: 'example-bucket',
          ownerIdentity: {
            principalId: 'EXAMPLE',
          },
          arn: 'arn:aws:s3:::example-bucket',
        },
        object: {
          key: 'test/key',
          sequencer: '0A1B2C3D4E5F678901',
        },
      },
    },
  ],
} as const;

/** kinesis-get-records.json */
export const kinesisGetRecords = {
  Records: [
    {
      kinesis: {
        partitionKey: 'partitionKey-03',
        kinesisSchemaVersion: '1.0',
        data: 'SGVsbG8sIHRoaXMgaXMgYSB0ZXN0IDEyMy4=',
        sequenceNumber: '49545115243490985018280067714973144582180062593244200961',
        approximateArrivalTimestamp: 1428537600.0,
      },
      eventSource: 'aws:kinesis',
      eventID: 'shardId-000000000000:49545115243490985018280067714973144582180062593244200961',
      invokeIdentityArn: 'arn:aws:iam::EXAMPLE',
      eventVersion: '1.0',
      eventName: 'aws:kinesis:record',
      eventSourceARN: 'arn:aws:kinesis:EXAMPLE',
      awsRegion: 'us-east-1',
    },
  ],
} as const;

/** dynamodb-update.json */
export const dynamodbUpdate = {
  Records: [
    {
      eventID: 'c4ca4238a0b923820dcc509a6f75849b',
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      dynamodb: {
        Keys: {
          Id: {
            N: '101',
          },
        },
        NewImage: {
          Message: {
            S: 'New item!',
          },
          Id: {
            N: '101',
          },
        },
        ApproximateCreationDateTime: 1428537600,
        SequenceNumber: '4421584500000000017450439091',
        SizeBytes: 26,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      eventSourceARN:
        'arn:aws:dynamodb:us-east-1:123456789012:table/ExampleTableWithStream/stream/2015-06-27T00:48:05.899',
    },
    {
      eventID: 'c81e728d9d4c2f636f067f89cc14862c',
      eventName: 'MODIFY',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      dynamodb: {
        Keys: {
          Id: {
            N: '101',
          },
        },
        NewImage: {
          Message: {
            S: 'This item has changed',
          },
          Id: {
            N: '101',
          },
        },
        OldImage: {
          Message: {
            S: 'New item!',
          },
          Id: {
            N: '101',
          },
        },
        ApproximateCreationDateTime: 1428537600,
        SequenceNumber: '4421584500000000017450439092',
        SizeBytes: 59,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      eventSourceARN:
        'arn:aws:dynamodb:us-east-1:123456789012:table/ExampleTableWithStream/stream/2015-06-27T00:48:05.899',
    },
    {
      eventID: 'eccbc87e4b5ce2fe28308fd9f2a7baf3',
      eventName: 'REMOVE',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      dynamodb: {
        Keys: {
          Id: {
            N: '101',
          },
        },
        OldImage: {
          Message: {
            S: 'This item has changed',
          },
          Id: {
            N: '101',
          },
        },
        ApproximateCreationDateTime: 1428537600,
        SequenceNumber: '4421584500000000017450439093',
        SizeBytes: 38,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      eventSourceARN:
        'arn:aws:dynamodb:us-east-1:123456789012:table/ExampleTableWithStream/stream/2015-06-27T00:48:05.899',
    },
  ],
} as const;

/** sqs-receive-message.json */
export const sqsReceiveMessage = {
  Records: [
    {
      messageId: '19dd0b57-b21e-4ac1-bd88-01bbb068cb78',
      receiptHandle: 'MessageReceiptHandle',
      body: 'Hello from SQS!',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '1523232000000',
        SenderId: '123456789012',
        ApproximateFirstReceiveTimestamp: '1523232000001',
      },
      messageAttributes: {},
      md5OfBody: '7b270e59b47ff90a553787216d55d91d',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:my-queue',
      awsRegion: 'us-east-1',
    },
  ],
} as const;

/** sns-notification.json */
export const snsNotification = {
  Records: [
    {
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: 'arn:aws:sns:us-east-1:123456789012:ExampleTopic',
      Sns: {
        Type: 'Notification',
        MessageId: '95df01b4-ee98-5cb9-9903-4c221d41eb5e',
        TopicArn: 'arn:aws:sns:us-east-1:123456789012:ExampleTopic',
        Subject: 'example subject',
        Message: 'example message',
        Timestamp: '1970-01-01T00:00:00.000Z',
        SignatureVersion: '1',
        Signature: 'EXAMPLE',
        SigningCertUrl: 'EXAMPLE',
        UnsubscribeUrl: 'EXAMPLE',
        MessageAttributes: {
          Test: {
            Type: 'String',
            Value: 'TestString',
          },
          TestBinary: {
            Type: 'Binary',
            Value: 'TestBinary',
          },
        },
      },
    },
  ],
} as const;

/** cloudwatch-scheduled-event.json */
export const cloudwatchScheduledEvent = {
  id: 'cdc73f9d-aea9-11e3-9d5a-835b769c0d9c',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '1970-01-01T00:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:events:us-east-1:123456789012:rule/ExampleRule'],
  detail: {},
} as const;

/**
 * The history events Step Functions records for a Task state, by how it names its function: a
 * function ARN as Resource (the Lambda* events), or the `arn:aws:states:::lambda:invoke`
 * integration (the Task* events).
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html
 */
export const functionArnTaskHistory = [
  'TaskStateEntered',
  'LambdaFunctionScheduled',
  'LambdaFunctionStarted',
  'LambdaFunctionSucceeded',
  'TaskStateExited',
];
export const lambdaInvokeTaskHistory = [
  'TaskStateEntered',
  'TaskScheduled',
  'TaskStarted',
  'TaskSucceeded',
  'TaskStateExited',
];

/** The output of an `arn:aws:states:::lambda:invoke` Task: Lambda's Invoke response, wrapped. */
export const lambdaInvokeOutputKeys = [
  'ExecutedVersion',
  'Payload',
  'SdkHttpMetadata',
  'SdkResponseMetadata',
  'StatusCode',
];
