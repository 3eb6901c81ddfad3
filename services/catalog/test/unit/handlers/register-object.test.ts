import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import {
  captureLogsInEachTest,
  lambdaContext,
  mockClientsInEachTest,
  s3DeleteEvent,
  s3PutEvent,
} from '@serverless-patterns/shared/testing';
import { expect } from 'chai';
import type * as RegisterObject from '../../../src/handlers/register-object';

// A key that S3 notifications carry URL-encoded: `=` as %3D, a space as `+`.
const KEY = 'raw/clickstream/year=2026/month=11/day=29/clicks 1.jsonl.gz';
const context = lambdaContext({ functionName: 'serverless-patterns-catalog-dev-registerObject' });

describe('registerObject handler', () => {
  const mocks = mockClientsInEachTest({ documentClient });
  const logs = captureLogsInEachTest();
  const saved = process.env.CATALOG_TABLE_NAME;
  let handler: typeof RegisterObject.handler;

  // Loaded as Lambda loads it, with its configuration in the environment.
  before(async () => {
    process.env.CATALOG_TABLE_NAME = 'catalog-table';
    ({ handler } = await import('../../../src/handlers/register-object'));
  });

  after(() => {
    if (saved === undefined) delete process.env.CATALOG_TABLE_NAME;
    else process.env.CATALOG_TABLE_NAME = saved;
  });

  /** The item of each Put the handler sent to the catalog table. */
  const itemsPut = () =>
    mocks.documentClient.commandCalls(PutCommand).map(({ args: [put] }) => {
      expect(put.input.TableName).to.equal('catalog-table');
      return put.input.Item;
    });

  it('registers an uploaded object under its decoded key', async () => {
    // Act
    await handler(s3PutEvent({ key: KEY, size: 18_204 }), context);

    // Assess
    expect(itemsPut()).to.have.length(1);
    expect(itemsPut()[0]).to.include({
      pk: 'raw/clickstream',
      sk: KEY,
      key: KEY,
      dataset: 'clickstream',
      sizeBytes: 18_204,
    });
    expect(logs.logs().find(({ message }) => message === 'catalog updated')).to.include({
      key: KEY,
      kind: 'created',
      outcome: 'registered',
      correlation_id: 'EXAMPLE123456789',
    });
  });

  it('removes a deleted object under its decoded key', async () => {
    // Act
    await handler(s3DeleteEvent({ key: KEY }), context);

    // Assess
    expect(itemsPut()).to.have.length(1);
    expect(itemsPut()[0]).to.include({ pk: 'raw/clickstream', sk: KEY, removed: true });
    expect(logs.logs().find(({ message }) => message === 'catalog updated')).to.include({
      key: KEY,
      kind: 'removed',
      outcome: 'removed',
    });
  });
});
