import {
  correlationPaths,
  instrumented,
  logger,
  MetricUnit,
  metrics,
} from '@serverless-patterns/shared/observability';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import { taskExecutor } from '../composition';

const executor = taskExecutor();
const messageSchema = z
  .object({
    taskName: z.string().min(1),
    runId: z.string().min(1),
    roleArn: z.string().min(1),
    region: z.string().min(1),
  })
  .strict();

// One task x account x region per message. The target's own failures (a role that cannot be assumed,
// a snapshot EC2 refused) are recorded on the run and announced, and the message succeeds; only a
// failure to record fails the message, which SQS delivers again and then parks in the queue's DLQ.
export const handler = instrumented(
  async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      try {
        const target = messageSchema.parse(JSON.parse(record.body));
        const result = await executor.execute(target);
        metrics.addMetric('SnapshotsCreated', MetricUnit.Count, result.created);
        metrics.addMetric('SnapshotsDeleted', MetricUnit.Count, result.deleted);
        metrics.addMetric('Failures', MetricUnit.Count, result.failures);
        const summary = {
          ...target,
          accountId: result.accountId,
          status: result.status,
          created: result.created,
          deleted: result.deleted,
          failures: result.failures,
          throttled: result.throttled,
          error: result.error,
        };
        if (result.status === 'FAILED' || result.status === 'PARTIAL')
          logger.error('task run failed', summary);
        else logger.info('task run finished', summary);
      } catch (error) {
        logger.error('task message not handled', { messageId: record.messageId, error });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  },
  { correlationIdPath: correlationPaths.batchRecord },
);
