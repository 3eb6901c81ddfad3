import {
  BatchCreatePartitionCommand,
  CreateTableCommand,
  DeletePartitionCommand,
  EntityNotFoundException,
  GetPartitionsCommand,
  GetTableCommand,
} from '@aws-sdk/client-glue';
import {
  GetObjectCommand,
  GetObjectTaggingCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  PutObjectTaggingCommand,
} from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import { glue } from '@serverless-patterns/shared/clients/glue';
import { s3 } from '@serverless-patterns/shared/clients/s3';
import { sqs } from '@serverless-patterns/shared/clients/sqs';
import type { HttpHandler } from '@serverless-patterns/shared/http';
import {
  apiGatewayProxyEvent,
  captureLogsInEachTest,
  dynamoDbStreamEvent,
  lambdaContext,
  mockClientsInEachTest,
  s3DeleteEvent,
  s3PutEvent,
  sqsEvent,
} from '@serverless-patterns/shared/testing';
import type { Context } from 'aws-lambda';
import { expect } from 'chai';
import { exampleCatalogEntry } from '../../../../../shared/test/unit/schema-examples';
import { s3Body } from '../fakes';
import { inFunctionEnvironment } from './function-environment';

// A key that S3 notifications carry URL-encoded: `=` as %3D, a space as `+`.
const KEY = 'raw/clickstream/year=2026/clicks été 1.jsonl';
const CLICKS = '{"page":"/thermostats","email":"jane@example.com"}\n';
const context = lambdaContext({ functionName: 'serverless-patterns-catalog-dev-function' });
const notFound = () => new EntityNotFoundException({ message: 'not found', $metadata: {} });
const NGRAM_TABLE = {
  Name: 'ngram',
  Parameters: { classification: 'parquet' },
  PartitionKeys: [{ Name: 'decade', Type: 'bigint' }],
  StorageDescriptor: {
    Location: 's3://lake-bucket/curated/ngram/',
    Columns: [{ Name: 'gram', Type: 'string' }],
  },
};

type Handler = (event: unknown, context: Context) => Promise<unknown>;
// biome-ignore lint/suspicious/noExplicitAny: a response body is read field by field, as a client would.
type Body = any;
const handlers: Record<string, Handler> = {};

function routeEvent(options: Parameters<typeof apiGatewayProxyEvent>[0] & { userId?: string }) {
  const { userId = 'person-1', ...request } = options;
  return apiGatewayProxyEvent({
    method: 'GET',
    body: null,
    queryStringParameters: null,
    authorizer: { userId, email: `${userId}@example.com`, groups: '' },
    ...request,
  });
}

async function call(name: string, event: ReturnType<typeof routeEvent>) {
  const response = await (handlers[name] as HttpHandler)(event, context);
  return {
    status: response.statusCode,
    headers: response.headers,
    body: JSON.parse(response.body) as Body,
  };
}

describe('catalog handlers', function () {
  this.timeout(20_000);
  inFunctionEnvironment();
  const mocks = mockClientsInEachTest({ documentClient, s3, glue, sqs });
  captureLogsInEachTest();

  before(async () => {
    for (const name of [
      'register-object',
      'index-catalog',
      'search-catalog',
      'start-query',
      'get-query',
      'run-query',
    ]) {
      handlers[name] = ((await import(`../../../src/handlers/${name}`)) as { handler: Handler }).handler;
    }
  });

  describe('registerObject', () => {
    it('registers an uploaded object under its decoded key, with its table, partition and tag', async () => {
      mocks.s3
        .on(GetObjectCommand)
        .resolves({ Body: s3Body(CLICKS), ContentRange: `bytes 0-${CLICKS.length - 1}/${CLICKS.length}` });
      mocks.glue
        .on(GetTableCommand)
        .rejectsOnce(notFound())
        .resolves({ Table: { Name: 'raw_clickstream', StorageDescriptor: {} } });
      mocks.glue.on(BatchCreatePartitionCommand).resolves({});
      mocks.s3.on(GetObjectTaggingCommand).resolves({ TagSet: [] });

      await handlers['register-object']?.(s3PutEvent({ key: KEY, size: CLICKS.length }), context);

      const item = mocks.documentClient.commandCalls(PutCommand)[0]?.args[0].input.Item;
      expect(item).to.deep.include({
        pk: 'raw/clickstream',
        sk: KEY,
        format: 'jsonl',
        sensitive: ['email'],
        table: 'raw_clickstream',
      });
      expect(mocks.glue.commandCalls(CreateTableCommand)[0]?.args[0].input.TableInput?.Name).to.equal(
        'raw_clickstream',
      );
      expect(
        mocks.glue.commandCalls(BatchCreatePartitionCommand)[0]?.args[0].input.PartitionInputList?.[0]
          ?.Values,
      ).to.deep.equal(['2026']);
      expect(mocks.s3.commandCalls(PutObjectTaggingCommand)[0]?.args[0].input).to.deep.include({
        Key: KEY,
        Tagging: { TagSet: [{ Key: 'lake:sensitive-data', Value: 'email' }] },
      });
    });

    it('removes a deleted object and drops its emptied partition', async () => {
      mocks.documentClient.on(QueryCommand).resolves({ Items: [] });

      await handlers['register-object']?.(s3DeleteEvent({ key: KEY }), context);

      expect(mocks.documentClient.commandCalls(PutCommand)[0]?.args[0].input.Item).to.include({
        sk: KEY,
        removed: true,
      });
      expect(mocks.glue.commandCalls(DeletePartitionCommand)[0]?.args[0].input).to.deep.include({
        TableName: 'raw_clickstream',
        PartitionValues: ['2026'],
      });
    });
  });

  describe('indexCatalog', () => {
    it('indexes entries, skips the index pointer, and fails a record that is not an entry alone', async () => {
      const entry = exampleCatalogEntry();
      mocks.documentClient.on(GetCommand).resolves({});
      const event = dynamoDbStreamEvent(
        {
          eventName: 'INSERT',
          keys: { pk: 'raw/clickstream', sk: entry.key },
          newImage: { pk: 'raw/clickstream', sk: entry.key, sequencer: '01', ...entry },
          sequenceNumber: '100',
        },
        {
          eventName: 'MODIFY',
          keys: { pk: '#search-index', sk: '#current' },
          newImage: { pk: '#search-index', sk: '#current', version: 1 },
          sequenceNumber: '200',
        },
        {
          eventName: 'INSERT',
          keys: { pk: 'raw/x', sk: 'raw/x/y' },
          newImage: { pk: 'raw/x', sk: 'raw/x/y', zone: 'nowhere' },
          sequenceNumber: '300',
        },
      );

      const response = await handlers['index-catalog']?.(event, context);

      expect(response).to.deep.equal({ batchItemFailures: [{ itemIdentifier: '300' }] });
      const snapshot = String(mocks.s3.commandCalls(PutObjectCommand)[0]?.args[0].input.Body);
      expect(snapshot).to.contain(entry.key);
      expect(mocks.documentClient.commandCalls(PutCommand)[0]?.args[0].input.Item).to.include({
        pk: '#search-index',
        version: 1,
      });
    });
  });

  describe('GET /catalog/search', () => {
    it('answers matches and facets from the latest snapshot', async () => {
      const { createSearchIndex } = await import('../../../src/core/search-index');
      const index = createSearchIndex();
      index.upsert(exampleCatalogEntry({ sensitive: ['email'] }));
      mocks.documentClient
        .on(GetCommand)
        .resolves({ Item: { version: 7, snapshotKey: 'search-index/v7.json' } });
      mocks.s3.on(GetObjectCommand).resolves({ Body: s3Body(index.toSnapshot()) });

      const { status, body } = await call(
        'search-catalog',
        routeEvent({ resource: '/search', queryStringParameters: { q: 'clickstream', sensitive: 'email' } }),
      );

      expect(status).to.equal(200);
      expect(body.total).to.equal(1);
      expect(body.facets.sensitive).to.deep.equal({ email: 1 });
    });

    it('refuses an unknown filter value with a 400', async () => {
      const { status, body } = await call(
        'search-catalog',
        routeEvent({ resource: '/search', queryStringParameters: { format: 'xml' } }),
      );

      expect(status).to.equal(400);
      expect(body.error.code).to.equal('VALIDATION_FAILED');
    });
  });

  describe('POST /catalog/queries', () => {
    const start = (body: unknown) =>
      call('start-query', routeEvent({ method: 'POST', resource: '/queries', path: '/queries', body }));
    /** Glue's ngram table with one partition, decade=1990, whose one file holds `bytes`. */
    const ngramHasOnePartitionOf = (bytes: number) => {
      mocks.glue.on(GetTableCommand).resolves({ Table: NGRAM_TABLE });
      mocks.glue.on(GetPartitionsCommand).resolves({
        Partitions: [
          {
            Values: ['1990'],
            StorageDescriptor: { Location: 's3://lake-bucket/curated/ngram/decade=1990/' },
          },
        ],
      });
      mocks.s3.on(ListObjectsV2Command).resolves({
        Contents: [{ Key: 'curated/ngram/decade=1990/part-0.parquet', ETag: '"e"', Size: bytes }],
      });
    };

    it('accepts a query (202), queues it and says where to follow it', async () => {
      ngramHasOnePartitionOf(500);

      const { status, headers, body } = await start({
        sql: "SELECT gram FROM ngram WHERE decade = 1990 AND gram = 'x'",
      });

      expect(status).to.equal(202);
      expect(body.query).to.include({ status: 'QUEUED', bytesScanned: 500, partitionsRead: 1 });
      // The path the caller used, stage (or custom domain base path) included.
      expect(headers?.location).to.equal(`/prod/queries/${body.query.queryId}`);
      expect(mocks.glue.commandCalls(GetPartitionsCommand)[0]?.args[0].input.Expression).to.equal(
        'decade = 1990',
      );
      expect(
        JSON.parse(String(mocks.sqs.commandCalls(SendMessageCommand)[0]?.args[0].input.MessageBody)),
      ).to.deep.equal({ queryId: body.query.queryId });
    });

    for (const [description, sql] of [
      ['two statements', 'SELECT 1; SELECT 2'],
      ['COPY', "COPY (SELECT 1) TO '/tmp/x'"],
      ['ATTACH', "ATTACH 'x.db'"],
      ["read_csv('/etc/passwd')", "SELECT * FROM read_csv('/etc/passwd')"],
      ['INSTALL', 'INSTALL httpfs'],
      ['PRAGMA', 'PRAGMA version'],
    ] as const) {
      it(`refuses ${description} with a 400 and queues nothing`, async () => {
        const { status, body } = await start({ sql });

        expect(status).to.equal(400);
        expect(body.error.code).to.equal('VALIDATION_FAILED');
        expect(mocks.sqs.commandCalls(SendMessageCommand)).to.have.length(0);
      });
    }

    it('refuses a 1 MB query with a 413 before reading it', async () => {
      const { status } = await start({ sql: `SELECT '${'x'.repeat(1024 * 1024)}'` });

      expect(status).to.equal(413);
    });

    it('refuses a query over the bytes limit with a 422 and its code', async () => {
      ngramHasOnePartitionOf(5_000_000);

      const { status, body } = await start({ sql: 'SELECT * FROM ngram' });

      expect(status).to.equal(422);
      expect(body.error.code).to.equal('BYTES_SCANNED_LIMIT_EXCEEDED');
    });
  });

  describe('GET /catalog/queries/{queryId}', () => {
    const get = (userId = 'person-1') =>
      call(
        'get-query',
        routeEvent({ userId, resource: '/queries/{queryId}', pathParameters: { queryId: 'q-1' } }),
      );
    const record = {
      queryId: 'q-1',
      ownerId: 'person-1',
      sql: 'SELECT 1',
      canonicalSql: 'SELECT 1',
      submittedAt: '2026-12-01T10:00:00.000Z',
      tables: [],
    };

    it('answers a failed query with the status of its failure, its error and the query', async () => {
      mocks.documentClient.on(GetCommand).resolves({
        Item: {
          ...record,
          status: 'FAILED',
          error: { code: 'ROW_LIMIT_EXCEEDED', message: 'too many rows' },
        },
      });

      const { status, body } = await get();

      expect(status).to.equal(422);
      expect(body.error).to.deep.equal({ code: 'ROW_LIMIT_EXCEEDED', message: 'too many rows' });
      expect(body.query).to.include({ queryId: 'q-1', status: 'FAILED' });
    });

    it('answers a succeeded query with a presigned URL of its results', async () => {
      mocks.documentClient.on(GetCommand).resolves({
        Item: { ...record, status: 'SUCCEEDED', resultsKey: 'results/q-1/result.parquet', rows: [[1]] },
      });

      const { status, body } = await get();

      expect(status).to.equal(200);
      expect(body.query.resultsUrl).to.contain('results/q-1/result.parquet').and.contain('X-Amz-Signature');
      expect(body.query).not.to.have.property('ownerId');
    });

    it("answers another person's query with a 404", async () => {
      mocks.documentClient.on(GetCommand).resolves({ Item: { ...record, status: 'QUEUED' } });

      expect((await get('person-2')).status).to.equal(404);
    });
  });

  describe('runQuery', () => {
    it('fails a message that names no query alone, and skips a query that is not queued', async () => {
      mocks.documentClient.on(GetCommand).resolves({});
      const event = sqsEvent(
        { body: 'not json', messageId: 'm-1' },
        { body: { queryId: 'q-gone' }, messageId: 'm-2' },
      );

      const response = await handlers['run-query']?.(event, context);

      expect(response).to.deep.equal({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
    });
  });
});
