import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { PutCommand, PutCommandInput } from '@aws-sdk/lib-dynamodb';
import type { SecurityFinding } from '@serverless-patterns/shared/schemas/api';
import { expect } from 'chai';
import { createAuditLog, type PutItemClient } from '../../../src/adapters/audit-log';

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

function tableAnswering(answer: () => Promise<void>) {
  const sent: PutCommandInput[] = [];
  const client: PutItemClient = {
    async send(command: PutCommand) {
      sent.push(command.input);
      await answer();
      return { $metadata: {} };
    },
  };
  return { client, sent };
}

describe('audit log adapter', () => {
  it('keys the entry by security group, then time and finding', async () => {
    // Prepare
    const { client, sent } = tableAnswering(async () => {});

    // Act
    const result = await createAuditLog(client, 'ops-table').record(finding, { notified: false });

    // Assess
    expect(result).to.equal('written');
    expect(sent[0]).to.deep.include({
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
    // Prepare
    const { client, sent } = tableAnswering(async () => {});

    // Act
    await createAuditLog(client, 'ops-table').record(finding, { notified: true });

    // Assess
    expect(sent[0]).to.deep.include({
      ConditionExpression: 'attribute_not_exists(pk) OR notified = :false',
      ExpressionAttributeValues: { ':false': false },
    });
    expect(sent[0]?.Item).to.include({ notified: true });
  });

  it('answers already-notified when the condition fails, as for a replayed event', async () => {
    // Prepare
    const { client } = tableAnswering(async () => {
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    });

    // Act
    const result = await createAuditLog(client, 'ops-table').record(finding, { notified: false });

    // Assess
    expect(result).to.equal('already-notified');
  });

  it('lets any other failure through', async () => {
    // Prepare
    const { client } = tableAnswering(async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' });
    });

    // Act
    const attempt = createAuditLog(client, 'ops-table').record(finding, { notified: false });

    // Assess
    await attempt.then(
      () => expect.fail('expected the write to fail'),
      (error: unknown) => expect(error).to.have.property('name', 'ProvisionedThroughputExceededException'),
    );
  });
});
