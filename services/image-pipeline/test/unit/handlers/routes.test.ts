import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import { s3 } from '@serverless-patterns/shared/clients/s3';
import type { HttpHandler } from '@serverless-patterns/shared/http';
import type { ImageRecord } from '@serverless-patterns/shared/schemas/api';
import {
  type ApiGatewayProxyEventOptions,
  apiGatewayProxyEvent,
  captureLogsInEachTest,
  commandsSent,
  lambdaContext,
  mockClientsInEachTest,
} from '@serverless-patterns/shared/testing';
import { expect } from 'chai';
import { commandsInOrder, functionEnvironmentInThisSuite } from './suite-environment';

const RECORD: ImageRecord = {
  imageId: 'img-1',
  ownerId: 'owner-1',
  bucket: 'images-bucket',
  key: 'uploads/owner-1/upload-1/photo.jpg',
  status: 'READY',
  thumbnails: {
    square: 'thumbnails/owner-1/img-1/square.webp',
    preview: 'thumbnails/owner-1/img-1/preview.webp',
  },
  createdAt: '2026-11-29T09:00:00.000Z',
  updatedAt: '2026-11-29T09:00:05.000Z',
};

/** A request to one of the routes (`resource` as serverless.yml declares it), that the people authorizer let in. */
function routeEvent(options: ApiGatewayProxyEventOptions & { userId?: string }) {
  const { userId = 'owner-1', ...request } = options;
  return apiGatewayProxyEvent({
    method: 'GET',
    body: null,
    queryStringParameters: null,
    authorizer: { userId, email: `${userId}@example.com`, groups: '' },
    ...request,
  });
}

/** GET or DELETE /images/img-1, as `userId`. */
function imageEvent(method: 'GET' | 'DELETE', userId = 'owner-1') {
  return routeEvent({ method, userId, resource: '/{imageId}', pathParameters: { imageId: 'img-1' } });
}

describe('image routes', () => {
  functionEnvironmentInThisSuite();
  const mocks = mockClientsInEachTest({ documentClient, s3 });
  captureLogsInEachTest();
  const handlers: Record<string, HttpHandler> = {};

  before(async () => {
    for (const name of ['create-upload', 'list-images', 'get-image', 'delete-image']) {
      handlers[name] = ((await import(`../../../src/handlers/${name}`)) as { handler: HttpHandler }).handler;
    }
  });

  async function call(name: string, event: ReturnType<typeof routeEvent>) {
    const handler = handlers[name];
    if (!handler) throw new Error(`no handler ${name}`);
    const result = await handler(event, lambdaContext({ functionName: name }));
    return { ...result, json: JSON.parse(result.body || 'null') as Record<string, unknown> };
  }

  describe('POST /images/uploads', () => {
    const beach = () =>
      routeEvent({
        method: 'POST',
        resource: '/uploads',
        body: { fileName: 'beach.png', contentType: 'image/png', sizeBytes: 5000 },
      });

    it('answers 201 with a presigned POST for a key of its own under the caller’s prefix, once counted', async () => {
      mocks.documentClient.on(UpdateCommand).resolves({ Attributes: { uploads: 3 } });

      const response = await call('create-upload', beach());

      expect(response.statusCode).to.equal(201);
      expect(response.json).to.include({ maxBytes: 5000 });
      expect(response.json.key).to.match(/^uploads\/owner-1\/[0-9a-f-]{36}\/beach\.png$/);
      expect(response.json).to.have.nested.property('upload.fields.Content-Type', 'image/png');
      expect(response.json).to.have.nested.property('upload.fields.Policy');
      expect(response.json).to.have.nested.property('quota.remaining', 97);
      expect(commandsSent(mocks.documentClient)[0]?.input).to.deep.include({
        TableName: 'upload-quotas-table',
        Key: { ownerId: 'owner-1', day: new Date().toISOString().slice(0, 10) },
      });
    });

    it('answers 429 with when the quota resets once the day’s uploads are used up', async () => {
      mocks.documentClient.on(UpdateCommand).rejects(
        Object.assign(new Error('The conditional request failed'), {
          name: 'ConditionalCheckFailedException',
        }),
      );

      const response = await call('create-upload', beach());

      expect(response.statusCode).to.equal(429);
      expect(response.json).to.have.nested.property('error.code', 'TOO_MANY_REQUESTS');
      expect(response.json)
        .to.have.nested.property('error.message')
        .that.matches(/^You have reached today's limit of 100 uploads\. It resets at midnight UTC, in /);
      expect(response.json).to.have.nested.property('error.details.limit', 100);
      expect(
        Date.parse((response.json.error as { details: { resetsAt: string } }).details.resetsAt),
      ).to.be.above(Date.now());
    });

    for (const [description, body, path] of [
      [
        'an unknown field',
        { fileName: 'a.jpg', contentType: 'image/jpeg', sizeBytes: 1, public: true },
        'public',
      ],
      [
        'a content type that is not an image',
        { fileName: 'a.jpg', contentType: 'text/html', sizeBytes: 1 },
        'contentType',
      ],
      [
        'a size over 25 MiB',
        { fileName: 'a.jpg', contentType: 'image/jpeg', sizeBytes: 26_214_401 },
        'sizeBytes',
      ],
      ['a size of 0', { fileName: 'a.jpg', contentType: 'image/jpeg', sizeBytes: 0 }, 'sizeBytes'],
      ['a missing file name', { contentType: 'image/jpeg', sizeBytes: 10 }, 'fileName'],
    ] as const) {
      it(`answers 400 naming ${path} for ${description}`, async () => {
        const response = await call(
          'create-upload',
          routeEvent({ method: 'POST', resource: '/uploads', body }),
        );

        expect(response.statusCode).to.equal(400);
        expect(response.json).to.have.nested.property('error.code', 'VALIDATION_FAILED');
        expect(response.json)
          .to.have.deep.nested.property('error.details')
          .that.deep.includes({
            path,
            message:
              path === 'public'
                ? 'Unknown field'
                : (response.json.error as { details: { message: string }[] }).details[0]?.message,
          });
      });
    }
  });

  describe('GET /images', () => {
    it('queries the byOwner index newest first and returns a nextToken when there is more', async () => {
      mocks.documentClient.on(QueryCommand).resolves({
        Items: [RECORD],
        LastEvaluatedKey: { imageId: 'img-1', ownerId: 'owner-1', createdAt: RECORD.createdAt },
      });

      const response = await call('list-images', routeEvent({ queryStringParameters: { limit: '1' } }));

      expect(response.statusCode).to.equal(200);
      expect(commandsSent(mocks.documentClient)[0]?.input).to.deep.include({
        TableName: 'images-table',
        IndexName: 'byOwner',
        ScanIndexForward: false,
        Limit: 1,
        ExpressionAttributeValues: { ':ownerId': 'owner-1' },
      });
      expect(response.json.nextToken).to.be.a('string');
      expect(response.json).to.have.nested.property('images[0].urls.square').that.contains('square.webp');
    });

    it('answers 400 for a limit over 100', async () => {
      const response = await call('list-images', routeEvent({ queryStringParameters: { limit: '101' } }));

      expect(response.statusCode).to.equal(400);
      expect(commandsInOrder(mocks.documentClient, mocks.s3)).to.deep.equal([]);
    });
  });

  describe('GET /images/{imageId}', () => {
    beforeEach(() => mocks.documentClient.on(GetCommand).resolves({ Item: RECORD }));

    it('answers 404 for another owner’s image', async () => {
      const response = await call('get-image', imageEvent('GET', 'owner-2'));

      expect(response.statusCode).to.equal(404);
      expect(response.json).to.deep.equal({ error: { code: 'NOT_FOUND', message: 'Image not found' } });
    });

    it('answers 200 with presigned URLs for the owner', async () => {
      const response = await call('get-image', imageEvent('GET'));

      expect(response.statusCode).to.equal(200);
      expect(response.json).to.have.nested.property('image.urls.original').that.contains('X-Amz-Expires=300');
    });
  });

  describe('DELETE /images/{imageId}', () => {
    beforeEach(() => mocks.documentClient.on(GetCommand).resolves({ Item: RECORD }));

    it('answers 204 after deleting the original, both thumbnails and the record', async () => {
      const response = await call('delete-image', imageEvent('DELETE'));

      expect(response.statusCode).to.equal(204);
      expect(
        commandsInOrder(mocks.documentClient, mocks.s3).map(({ name, input }) => {
          const { Key } = input as { Key: unknown };
          return `${name} ${typeof Key === 'string' ? Key : JSON.stringify(Key)}`;
        }),
      ).to.deep.equal([
        'GetCommand {"imageId":"img-1"}',
        'DeleteObjectCommand uploads/owner-1/upload-1/photo.jpg',
        'DeleteObjectCommand thumbnails/owner-1/img-1/square.webp',
        'DeleteObjectCommand thumbnails/owner-1/img-1/preview.webp',
        'DeleteCommand {"imageId":"img-1"}',
      ]);
    });

    it('answers 404 and deletes nothing for another owner’s image', async () => {
      const response = await call('delete-image', imageEvent('DELETE', 'owner-2'));

      expect(response.statusCode).to.equal(404);
      expect(commandsInOrder(mocks.documentClient, mocks.s3).map(({ name }) => name)).to.deep.equal([
        'GetCommand',
      ]);
    });
  });
});
