import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { expect } from 'chai';
import { fixtureSuite, queueInbox, recordsOf, uniqueId, waitFor } from './support';

describe('local cloud: SQS event source mapping', () => {
  const fixture = fixtureSuite();

  // With ReportBatchItemFailures only the reported messages become visible again; the others are
  // deleted. A message received maxReceiveCount times moves to the dead-letter queue.
  // https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
  it('deletes the messages that succeeded and dead-letters the failed one after maxReceiveCount (2)', async () => {
    const messages = ['ok-1', 'failing', 'ok-2'].map((label) => ({
      id: uniqueId(`sqs-${label}`),
      ...(label === 'failing' ? { fail: true } : {}),
    }));
    const [first, failing, last] = messages.map((message) => message.id);
    await fixture.aws.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: fixture.resource('WorkQueue'),
        Entries: messages.map((message, index) => ({
          Id: String(index),
          MessageBody: JSON.stringify(message),
        })),
      }),
    );

    const deadLetters = await waitFor(
      'the failed message in the dead-letter queue',
      () => queueInbox(fixture.aws.sqs, fixture.resource('WorkDeadLetterQueue')),
      (all) => all.some((message) => message.id === failing),
    );
    const ours = (record: SQSRecord) => messages.some((message) => record.body.includes(message.id));
    const invocations = (await fixture.cloud.recordings('recordQueue'))
      .map((invocation) => recordsOf(invocation) as unknown as SQSRecord[])
      .filter((records) => records.some(ours));
    const received = invocations.flat().filter(ours);
    const deliveriesOf = (id: string | undefined) =>
      received.filter((record) => (JSON.parse(record.body) as { id: string }).id === id);

    expect(
      invocations[0]?.map((record) => record.body),
      'the first batch',
    ).to.have.members(messages.map((message) => JSON.stringify(message)));
    expect(deliveriesOf(first), 'a message that succeeded').to.have.length(1);
    expect(deliveriesOf(last), 'a message that succeeded').to.have.length(1);
    expect(deliveriesOf(failing).map((record) => record.attributes.ApproximateReceiveCount)).to.deep.equal([
      '1',
      '2',
    ]);
    expect(deadLetters.filter((message) => message.id === failing)).to.deep.equal([
      { id: failing, fail: true },
    ]);
  });
});
