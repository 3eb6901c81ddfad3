import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import { findFreePort, type RunningEmulator } from '../../src/emulators/emulator';
import { startSnsSqs } from '../../src/emulators/sns-sqs/fauxqs';
import { clientConfig, makeDataDir, removeDataDir, stopAndAssertGone, timed } from './support';

describe('SNS + SQS emulator (fauxqs)', function () {
  this.timeout(60_000);
  let dataDir: string;
  let emulator: RunningEmulator | undefined;
  let sqs: SQSClient;
  let sns: SNSClient;

  const start = async () => {
    emulator = await timed('sns-sqs', async () => startSnsSqs({ port: await findFreePort(), dataDir }));
    sqs = new SQSClient(clientConfig(emulator));
    sns = new SNSClient(clientConfig(emulator));
    return emulator;
  };
  const destroyClients = () => {
    sqs?.destroy();
    sns?.destroy();
  };
  const createQueue = async (QueueName: string, Attributes?: Record<string, string>) => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName, Attributes }));
    const { Attributes: created } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    return { QueueUrl: QueueUrl ?? '', QueueArn: created?.QueueArn ?? '' };
  };
  const receive = async (QueueUrl: string) => {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    return Messages ?? [];
  };

  before(async () => {
    dataDir = await makeDataDir('sns-sqs');
    await start();
  });

  after(async () => {
    destroyClients();
    await stopAndAssertGone(emulator);
    await removeDataDir(dataDir);
  });

  it('names queues after the endpoint the client used, and sends, receives and deletes', async () => {
    const { QueueUrl } = await createQueue('orders');

    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'order#1' }));
    const [message] = await receive(QueueUrl);
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message?.ReceiptHandle }));

    expect(QueueUrl).to.equal(`${emulator?.endpoint}/000000000000/orders`);
    expect(message?.Body).to.equal('order#1');
    expect(await receive(QueueUrl)).to.deep.equal([]);
  });

  it('moves a message received more than maxReceiveCount times to the dead-letter queue', async () => {
    const dlq = await createQueue('jobs-dlq');
    const RedrivePolicy = JSON.stringify({ deadLetterTargetArn: dlq.QueueArn, maxReceiveCount: 1 });
    // VisibilityTimeout 0: the failed receive is visible again at once, so the test needs no waiting.
    const { QueueUrl } = await createQueue('jobs', { VisibilityTimeout: '0', RedrivePolicy });
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'poison' }));

    const first = await receive(QueueUrl);
    const second = await receive(QueueUrl);

    expect(first.map((message) => message.Body)).to.deep.equal(['poison']);
    expect(second).to.deep.equal([]);
    expect((await receive(dlq.QueueUrl)).map((message) => message.Body)).to.deep.equal(['poison']);
  });

  it('delivers SNS messages to an SQS subscription only when they match its FilterPolicy', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'device-events' }));
    const { QueueUrl, QueueArn } = await createQueue('alerts');
    await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: QueueArn,
        Attributes: { FilterPolicy: JSON.stringify({ kind: ['alert'] }) },
      }),
    );
    const publish = (kind: string, Message: string) =>
      sns.send(
        new PublishCommand({
          TopicArn,
          Message,
          MessageAttributes: { kind: { DataType: 'String', StringValue: kind } },
        }),
      );

    await publish('reading', 'ignored');
    await publish('alert', 'too hot');

    const bodies = (await receive(QueueUrl)).map((message) => JSON.parse(message.Body ?? '{}'));
    expect(bodies).to.have.length(1);
    expect(bodies[0]).to.include({ Type: 'Notification', TopicArn, Message: 'too hot' });
  });

  it('keeps queues, messages and subscriptions across a restart, with queue URLs on the new port', async () => {
    const { QueueUrl: before } = await createQueue('durable');
    await sqs.send(new SendMessageCommand({ QueueUrl: before, MessageBody: 'kept' }));
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'device-events' }));

    destroyClients();
    await stopAndAssertGone(emulator);
    await start();
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'durable' }));
    await sns.send(
      new PublishCommand({
        TopicArn,
        Message: 'after restart',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'alert' } },
      }),
    );

    expect(QueueUrl).to.equal(`${emulator?.endpoint}/000000000000/durable`);
    expect((await receive(QueueUrl ?? '')).map((message) => message.Body)).to.deep.equal(['kept']);
    const { QueueUrl: alerts } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'alerts' }));
    const delivered = (await receive(alerts ?? '')).map(
      (message) => JSON.parse(message.Body ?? '{}').Message,
    );
    expect(delivered).to.deep.equal(['after restart']);
  });
});
