import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { expect } from 'chai';
import * as z from 'zod';
import { NotFoundError, PayloadTooLargeError, ValidationError } from '../../src/errors';
import {
  fieldIssues,
  httpHandler,
  json,
  noContent,
  parseJsonBody,
  parsePathParameters,
  parseQueryParameters,
} from '../../src/http';
import { apiGatewayProxyEvent, lambdaContext } from '../../src/testing';

const readingSchema = z
  .object({
    sensorId: z.string(),
    location: z.object({ city: z.string() }).strict(),
  })
  .strict();

const echoReading = httpHandler(async (event) => json(201, parseJsonBody(event, readingSchema)));

function invoke(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  return echoReading(event, lambdaContext());
}

function errorOf(result: APIGatewayProxyResult): { code: string; message: string; details?: unknown } {
  return JSON.parse(result.body).error;
}

describe('http', () => {
  describe('parseJsonBody', () => {
    it('returns the body typed by the schema', () => {
      const reading = { sensorId: 's-1', location: { city: 'Lyon' } };

      expect(parseJsonBody(apiGatewayProxyEvent({ body: reading }), readingSchema)).to.deep.equal(reading);
    });

    it('decodes a base64 body', () => {
      const body = Buffer.from(JSON.stringify({ sensorId: 's-1', location: { city: 'Zürich' } })).toString(
        'base64',
      );

      const reading = parseJsonBody(apiGatewayProxyEvent({ body, isBase64Encoded: true }), readingSchema);

      expect(reading.location.city).to.equal('Zürich');
    });

    it('requires a body', () => {
      expect(() => parseJsonBody(apiGatewayProxyEvent({ body: null }), readingSchema)).to.throw(
        ValidationError,
        'Request body is required',
      );
    });

    it('measures the limit in bytes, not characters', () => {
      // 40 three-byte characters: 40 characters but 120 bytes, plus the quotes.
      const event = apiGatewayProxyEvent({ body: JSON.stringify('€'.repeat(40)) });

      expect(() => parseJsonBody(event, z.string(), { maxBytes: 100 })).to.throw(PayloadTooLargeError);
      expect(parseJsonBody(event, z.string(), { maxBytes: 122 })).to.equal('€'.repeat(40));
    });

    it('measures a base64 body by its decoded size', () => {
      const body = Buffer.from(JSON.stringify('a'.repeat(98))).toString('base64');
      const event = apiGatewayProxyEvent({ body, isBase64Encoded: true });

      expect(parseJsonBody(event, z.string(), { maxBytes: 100 })).to.have.length(98);
      expect(() => parseJsonBody(event, z.string(), { maxBytes: 99 })).to.throw(PayloadTooLargeError);
    });

    it('lists every field issue with its dotted path', () => {
      const event = apiGatewayProxyEvent({ body: { sensorId: 7, location: { city: 42 } } });

      expect(() => parseJsonBody(event, readingSchema))
        .to.throw(ValidationError, 'Invalid request body at sensorId, location.city')
        .with.property('details')
        .that.deep.equals([
          { path: 'sensorId', message: 'Invalid input: expected string, received number' },
          { path: 'location.city', message: 'Invalid input: expected string, received number' },
        ]);
    });

    it("reports a failure of the whole body at '(root)'", () => {
      expect(() => parseJsonBody(apiGatewayProxyEvent({ body: [1, 2] }), readingSchema))
        .to.throw(ValidationError, 'Invalid request body at (root)')
        .with.nested.property('details[0].path', '(root)');
    });
  });

  describe('httpHandler', () => {
    it('returns what the handler returns when nothing is thrown', async () => {
      const result = await invoke(
        apiGatewayProxyEvent({ body: { sensorId: 's-1', location: { city: 'Lyon' } } }),
      );

      expect(result.statusCode).to.equal(201);
      expect(JSON.parse(result.body)).to.deep.equal({ sensorId: 's-1', location: { city: 'Lyon' } });
    });

    it('answers malformed JSON with 400, not 500', async () => {
      const result = await invoke(apiGatewayProxyEvent({ body: '{"sensorId": "s-1",' }));

      expect(result.statusCode).to.equal(400);
      expect(errorOf(result)).to.deep.equal({
        code: 'VALIDATION_FAILED',
        message: 'Request body is not valid JSON',
        details: [],
      });
    });

    it('answers an oversized body with 413', async () => {
      const body = JSON.stringify({ sensorId: 'x'.repeat(64 * 1024), location: { city: 'Lyon' } });

      const result = await invoke(apiGatewayProxyEvent({ body }));

      expect(result.statusCode).to.equal(413);
      expect(errorOf(result).code).to.equal('PAYLOAD_TOO_LARGE');
    });

    it('answers an unknown field with 400 naming the field', async () => {
      const result = await invoke(
        apiGatewayProxyEvent({ body: { sensorId: 's-1', location: { city: 'Lyon' }, isAdmin: true } }),
      );

      expect(result.statusCode).to.equal(400);
      expect(errorOf(result).message).to.include('isAdmin');
      expect(errorOf(result).details).to.deep.equal([{ path: 'isAdmin', message: 'Unknown field' }]);
    });

    it("answers a bad nested field with 400 at path 'location.city'", async () => {
      const result = await invoke(apiGatewayProxyEvent({ body: { sensorId: 's-1', location: {} } }));

      expect(result.statusCode).to.equal(400);
      expect(errorOf(result).details).to.deep.equal([
        { path: 'location.city', message: 'Invalid input: expected string, received undefined' },
      ]);
    });

    it('answers an unknown error with a generic 500 that leaks neither message nor stack', async () => {
      const failure = new Error('connect ECONNREFUSED 10.0.0.12:5432 password=hunter2');
      const handler = httpHandler(async () => {
        throw failure;
      });

      const result = await handler(apiGatewayProxyEvent(), lambdaContext());

      expect(result.statusCode).to.equal(500);
      expect(JSON.parse(result.body)).to.deep.equal({
        error: { code: 'INTERNAL', message: 'Internal server error' },
      });
      expect(result.body).not.to.include('ECONNREFUSED');
      expect(result.body).not.to.include('hunter2');
      expect(result.body).not.to.include('at ');
    });

    it('maps a domain error to its status code', async () => {
      const handler = httpHandler(async () => {
        throw new NotFoundError('Image img-1 does not exist');
      });

      const result = await handler(apiGatewayProxyEvent(), lambdaContext());

      expect(result.statusCode).to.equal(404);
      expect(errorOf(result)).to.deep.equal({ code: 'NOT_FOUND', message: 'Image img-1 does not exist' });
    });

    it('passes the original error to onError so it can be logged', async () => {
      const failure = new Error('boom');
      const logged: unknown[] = [];
      const handler = httpHandler(
        async () => {
          throw failure;
        },
        { onError: (error) => logged.push(error) },
      );

      await handler(apiGatewayProxyEvent(), lambdaContext());

      expect(logged).to.deep.equal([failure]);
    });

    it('sends error responses with JSON and CORS headers', async () => {
      const result = await invoke(apiGatewayProxyEvent({ body: 'not json' }));

      expect(result.headers).to.include({
        'content-type': 'application/json',
        'access-control-allow-origin': '*',
      });
    });
  });

  describe('parsePathParameters', () => {
    const schema = z.object({ imageId: z.uuid() });

    it('returns the parameters typed by the schema', () => {
      const imageId = '0b6c2c4e-5b0e-4c2a-9d61-0f6f1a0b7c3d';
      const event = apiGatewayProxyEvent({ pathParameters: { imageId } });

      expect(parsePathParameters(event, schema)).to.deep.equal({ imageId });
    });

    it('names the parameter that is invalid', () => {
      const event = apiGatewayProxyEvent({ pathParameters: { imageId: 'nope' } });

      expect(() => parsePathParameters(event, schema)).to.throw(
        ValidationError,
        'Invalid path parameters at imageId',
      );
    });

    it('treats missing path parameters as an empty object', () => {
      expect(() => parsePathParameters(apiGatewayProxyEvent({ pathParameters: null }), schema))
        .to.throw(ValidationError)
        .with.nested.property('details[0].path', 'imageId');
    });
  });

  describe('parseQueryParameters', () => {
    const schema = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) });

    it('applies the schema defaults when there is no query string', () => {
      expect(
        parseQueryParameters(apiGatewayProxyEvent({ queryStringParameters: null }), schema),
      ).to.deep.equal({
        limit: 20,
      });
    });

    it('coerces and checks a query parameter', () => {
      const event = apiGatewayProxyEvent({ queryStringParameters: { limit: '500' } });

      expect(() => parseQueryParameters(event, schema)).to.throw(
        ValidationError,
        'Invalid query parameters at limit',
      );
    });
  });

  describe('json', () => {
    it('serializes the body with JSON and CORS headers', () => {
      expect(json(200, { ok: true })).to.deep.equal({
        statusCode: 200,
        headers: {
          'access-control-allow-origin': '*',
          'access-control-allow-headers': 'authorization,content-type',
          'access-control-allow-methods': 'GET,POST,PUT,PATCH,DELETE,OPTIONS',
          'content-type': 'application/json',
        },
        body: '{"ok":true}',
      });
    });

    it('lets the caller add or override headers', () => {
      const result = json(201, {}, { location: '/images/img-1', 'content-type': 'application/problem+json' });

      expect(result.headers).to.include({
        location: '/images/img-1',
        'content-type': 'application/problem+json',
      });
    });
  });

  describe('noContent', () => {
    it('returns 204 with an empty body and CORS headers', () => {
      const result = noContent();

      expect(result.statusCode).to.equal(204);
      expect(result.body).to.equal('');
      expect(result.headers).to.include({ 'access-control-allow-origin': '*' });
    });
  });

  describe('fieldIssues', () => {
    function issuesOf(schema: z.ZodType, value: unknown) {
      const result = schema.safeParse(value);
      if (result.success) throw new Error('expected the value to be refused');
      return fieldIssues(result.error);
    }

    it('gives each issue its dotted path and message', () => {
      expect(issuesOf(readingSchema, { sensorId: 7, location: { city: 42 } })).to.deep.equal([
        { path: 'sensorId', message: 'Invalid input: expected string, received number' },
        { path: 'location.city', message: 'Invalid input: expected string, received number' },
      ]);
    });

    it('lists each unknown key on its own', () => {
      const reading = { sensorId: 's-1', location: { city: 'Lyon', zip: '69001' }, id: 2 };

      expect(issuesOf(readingSchema, reading)).to.deep.equal([
        { path: 'location.zip', message: 'Unknown field' },
        { path: 'id', message: 'Unknown field' },
      ]);
    });

    it("places an issue of the value itself at '(root)'", () => {
      expect(issuesOf(z.string(), 7)).to.deep.equal([
        { path: '(root)', message: 'Invalid input: expected string, received number' },
      ]);
    });
  });
});
