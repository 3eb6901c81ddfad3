import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import { writtenUnlessConditionFails } from '@serverless-patterns/shared/dynamodb';
import type { SecurityFinding } from '@serverless-patterns/shared/schemas/api';
import type { AuditLog } from '../core/security-policy-enforcer';

export function findingKey(finding: Pick<SecurityFinding, 'groupId' | 'detectedAt' | 'findingId'>) {
  return { pk: `finding#${finding.groupId}`, sk: `${finding.detectedAt}#${finding.findingId}` };
}

/**
 * A write goes through only while the entry's alert is unsent, so a replay changes nothing; a failed
 * condition is therefore an answer (`already-notified`), not an error.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
 */
const NOT_YET_NOTIFIED = 'attribute_not_exists(pk) OR notified = :false';

/** Audit entries in the ops table, one per finding, newest last within a security group. */
export function createAuditLog({
  client = documentClient,
  tableName,
}: {
  client?: DynamoDBDocumentClient;
  tableName: string;
}): AuditLog {
  return {
    async record(finding, { notified }) {
      const written = await writtenUnlessConditionFails(() =>
        client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...findingKey(finding),
              // Every finding, newest last, for GET /ops/findings.
              gsi1pk: 'findings',
              gsi1sk: `${finding.detectedAt}#${finding.findingId}`,
              entity: 'security-finding',
              ...finding,
              notified,
            },
            ConditionExpression: NOT_YET_NOTIFIED,
            ExpressionAttributeValues: { ':false': false },
          }),
        ),
      );
      return written ? 'written' : 'already-notified';
    },
  };
}
