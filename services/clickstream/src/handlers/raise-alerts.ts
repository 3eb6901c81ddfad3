import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  correlationPaths,
  instrumented,
  logger,
  MetricUnit,
  metrics,
} from '@serverless-patterns/shared/observability';
import { windowAggregateSchema } from '@serverless-patterns/shared/schemas/events';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { alertRaiser } from '../composition';

const raiser = alertRaiser();

// The aggregates table's stream (NEW_IMAGE): each new or grown window aggregate is compared with its
// owner's threshold. A record that fails is reported alone (the stream retries it, then parks its
// numbers in the failure queue); a replay finds its alert already raised.
/** Aggregates considered side by side: each is another device's or window's, so none waits for another. */
const CONCURRENCY = 16;

export const handler = instrumented(
  async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const batchItemFailures: DynamoDBBatchResponse['batchItemFailures'] = [];
    const considerOne = async (record: DynamoDBRecord) => {
      const image = record.dynamodb?.NewImage;
      if (record.eventName === 'REMOVE' || image === undefined) return; // expired by TTL
      try {
        const { deviceId, windowStart, windowEnd, count, sum, min, max, average } = unmarshall(
          image as Record<string, AttributeValue>,
        );
        const aggregate = windowAggregateSchema.parse({
          deviceId,
          windowStart,
          windowEnd,
          count,
          sum,
          min,
          max,
          average,
        });
        const outcome = await raiser.consider(aggregate);
        if (outcome === 'raised') {
          metrics.addMetric('AlertsRaised', MetricUnit.Count, 1);
          logger.info('alert raised', { deviceId, windowStart, average });
        }
      } catch (error) {
        logger.error('aggregate not considered for an alert', { eventID: record.eventID, error });
        batchItemFailures.push({ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' });
      }
    };
    let next = 0;
    const worker = async () => {
      while (next < event.Records.length) await considerOne(event.Records[next++] as DynamoDBRecord);
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, event.Records.length) }, worker));
    return { batchItemFailures };
  },
  { correlationIdPath: correlationPaths.batchRecord },
);
