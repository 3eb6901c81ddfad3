import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import type { SecurityFinding } from '@serverless-patterns/shared/schemas/api';
import { commandsSent, mockClientsInEachTest } from '@serverless-patterns/shared/testing';
import { expect } from 'chai';
import { createAuditLog } from '../../../src/adapters/audit-log';

const finding: SecurityFinding = {
  findingId: '5b1f0c2e9d8a7b6c5d4e3f2a1b0c9d8e',
  groupId: 'sg-0a1b2c3d4e5f67890',
  ruleId: 'sgr-0c2f4e6a8b0d1f301',
  protocol: 'tcp',
  fromPort: 22,
  toPort: 22,
  cidr: '0.0.0.0/0',
  reason: 'tcp 22 is open to 0.0.0.0/0, exposing SSH (22)',
  action: 'REVOKED',
  sourceEventId: '2d8b6a44-7c2f-4b1e-9a3d-5f0e1c9b7a61',
  detectedAt: '2024-05-14T09:15:27Z',
};

describe('audit log adapter', () => {
  const mocks = mockClientsInEachTest({ documentClient });
  const auditLog = createAuditLog({ tableName: 'ops-table' });

  it('keys the entry by security group, then time and finding', async () => {
    // Act
    const result = await auditLog.record(finding, { notified: false });

    // Assess
    expect(result).to.equal('written');
    expect(commandsSent(mocks.documentClient)).to.have.length(1);
    expect(mocks.documentClient.commandCalls(PutCommand)[0]?.args[0].input).to.deep.include({
      TableName: 'ops-table',
      Item: {
        pk: 'finding#sg-0a1b2c3d4e5f67890',
        sk: '2024-05-14T09:15:27Z#5b1f0c2e9d8a7b6c5d4e3f2a1b0c9d8e',
        entity: 'security-finding',
        ...finding,
        notified: false,
      },
    });
  });

  it('writes only while no alert was sent for the entry', async () => {
    // Act
    await auditLog.record(finding, { notified: true });

    // Assess
    const [put] = mocks.documentClient.commandCalls(PutCommand);
    expect(put?.args[0].input).to.deep.include({
      ConditionExpression: 'attribute_not_exists(pk) OR notified = :false',
      ExpressionAttributeValues: { ':false': false },
    });
    expect(put?.args[0].input.Item).to.include({ notified: true });
  });

  it('answers already-notified when the condition fails, as for a replayed event', async () => {
    // Prepare
    mocks.documentClient
      .on(PutCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );

    // Act
    const result = await auditLog.record(finding, { notified: false });

    // Assess
    expect(result).to.equal('already-notified');
  });

  it('lets any other failure through', async () => {
    // Prepare
    mocks.documentClient
      .on(PutCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' }));

    // Act
    const attempt = auditLog.record(finding, { notified: false });

    // Assess
    await attempt.then(
      () => expect.fail('expected the write to fail'),
      (error: unknown) => expect(error).to.have.property('name', 'ProvisionedThroughputExceededException'),
    );
  });
});
