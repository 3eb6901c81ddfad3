import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import { commandsSent, mockClientsInEachTest } from '@serverless-patterns/shared/testing';
import { expect } from 'chai';
import { exampleSecurityFinding } from '../../../../../shared/test/unit/schema-examples';
import { createAuditLog } from '../../../src/adapters/audit-log';

const finding = exampleSecurityFinding();

describe('audit log adapter', () => {
  const mocks = mockClientsInEachTest({ documentClient });
  const auditLog = createAuditLog({ tableName: 'ops-table' });

  it('keys the entry by security group, then time and finding, and lists it among all findings by time', async () => {
    // Act
    const result = await auditLog.record(finding, { notified: false });

    // Assess
    expect(result).to.equal('written');
    expect(commandsSent(mocks.documentClient)).to.have.length(1);
    expect(mocks.documentClient.commandCalls(PutCommand)[0]?.args[0].input).to.deep.include({
      TableName: 'ops-table',
      Item: {
        pk: 'finding#sg-0123456789abcdef0',
        sk: '2026-11-29T09:30:00.000Z#finding-sgr-0123456789abcdef0',
        gsi1pk: 'findings',
        gsi1sk: '2026-11-29T09:30:00.000Z#finding-sgr-0123456789abcdef0',
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
