import { PublishCommand } from '@aws-sdk/client-sns';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { LocalClients } from '../cloud/clients';
import type { FailureDestination } from './invoker';

/** Sends destination records to SQS queues (by ARN) and SNS topics, as Lambda does. */
export function createDestinations(
  clients: Pick<LocalClients, 'sqs' | 'sns'>,
  queueUrlOf: (queueArn: string) => string | undefined,
): FailureDestination {
  return {
    async send(destinationArn, message) {
      const body = JSON.stringify(message);
      const [, , service] = destinationArn.split(':');
      if (service === 'sqs') {
        const queueUrl = queueUrlOf(destinationArn);
        if (queueUrl === undefined) throw new Error(`destination queue ${destinationArn} is not provisioned`);
        await clients.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
      } else if (service === 'sns') {
        await clients.sns.send(new PublishCommand({ TopicArn: destinationArn, Message: body }));
      } else {
        throw new Error(
          `the local cloud delivers destination records to SQS and SNS only, not ${destinationArn}`,
        );
      }
    },
  };
}
