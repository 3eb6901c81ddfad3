import { PutCommand, type PutCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { SecurityFinding } from '@serverless-patterns/shared/schemas/api';
import type { AuditLog } from '../core/security-policy-enforcer';

export interface PutItemClient {
  send(command: PutCommand): Promise<PutCommandOutput>;
}

export function findingKey(finding: Pick<SecurityFinding, 'groupId' | 'detectedAt' | 'findingId'>) {
  return { pk: `finding#${finding.groupId}`, sk: `${finding.detectedAt}#${finding.findingId}` };
}

/**
 * Audit entries in the ops table, one per finding, newest last within a security group. The condition lets
 * a write through only while the entry's alert is unsent, so a replay changes nothing; a failed condition
 * is therefore an answer, not an error.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
 */
export function createAuditLog(client: PutItemClient, tableName: string): AuditLog {
  return {
    async record(finding, { notified }) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...findingKey(finding), entity: 'security-finding', ...finding, notified },
            ConditionExpression: 'attribute_not_exists(pk) OR notified = :false',
            ExpressionAttributeValues: { ':false': false },
          }),
        );
        return 'written';
      } catch (error) {
        if (error instanceof Error && error.name === 'ConditionalCheckFailedException')
          return 'already-notified';
        throw error;
      }
    },
  };
}
