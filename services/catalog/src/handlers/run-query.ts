import { correlationPaths, instrumented, logger } from '@serverless-patterns/shared/observability';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import { queryRunner } from '../composition';

const runner = queryRunner();
const messageSchema = z.object({ queryId: z.string().min(1) }).strict();

// One query per message (batch size 1). A query's own failure is recorded on it (FAILED) and the
// message succeeds; only a failure to record it fails the message, which SQS delivers again.
export const handler = instrumented(
  async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      try {
        const { queryId } = messageSchema.parse(JSON.parse(record.body));
        logger.appendKeys({ queryId });
        logger.info('query handled', { queryId, outcome: await runner.run(queryId) });
      } catch (error) {
        logger.error('query not handled', { messageId: record.messageId, error });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  },
  { correlationIdPath: correlationPaths.batchRecord },
);
