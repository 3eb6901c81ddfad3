import type { APIGatewayProxyEvent } from 'aws-lambda';
import { expect } from 'chai';
import * as z from 'zod';
import { parseJsonBody } from '../../../../src/http';
import { apiGatewayProxyEvent } from '../../../../src/testing';
import { asDelivered, awsSample, fieldPaths } from '../sample-shapes';

const sample = awsSample<APIGatewayProxyEvent>('apigateway-aws-proxy');

describe('testing: apiGatewayProxyEvent', () => {
  it('has the fields of the REST API proxy sample', () => {
    expect(fieldPaths(apiGatewayProxyEvent())).to.deep.equal(fieldPaths(sample));
  });

  it("has the sample's values, multi-value headers derived from the headers", () => {
    // The sample's Host differs between its two header maps; the builder derives one from the other.
    const multiValueHeaders = Object.fromEntries(
      Object.entries(sample.headers).map(([name, value]) => [name, [value]]),
    );

    expect(asDelivered(apiGatewayProxyEvent())).to.deep.equal({ ...sample, multiValueHeaders });
  });

  it("carries the sample's base64 body, which the shared body parser reads", () => {
    const body = parseJsonBody(apiGatewayProxyEvent(), z.object({ test: z.string() }));

    expect(body).to.deep.equal({ test: 'body' });
  });

  it('fills the path from the route and its path parameters', () => {
    const event = apiGatewayProxyEvent({
      method: 'PATCH',
      resource: '/devices/{deviceId}',
      pathParameters: { deviceId: 'dev-1' },
    });

    expect(event.path).to.equal('/devices/dev-1');
    expect(event.pathParameters).to.deep.equal({ deviceId: 'dev-1' });
    expect(event.requestContext).to.include({
      httpMethod: 'PATCH',
      resourcePath: '/devices/{deviceId}',
      path: '/prod/devices/dev-1',
    });
  });

  it('has no path parameters for a route named without them', () => {
    const event = apiGatewayProxyEvent({ method: 'GET', resource: '/devices' });

    expect(event.path).to.equal('/devices');
    expect(event.pathParameters).to.equal(null);
  });

  it('sends an object body as JSON, a string as it is, null as no body', () => {
    const json = apiGatewayProxyEvent({ body: { name: 'Kitchen' } });
    const text = apiGatewayProxyEvent({ body: 'name=Kitchen' });
    const none = apiGatewayProxyEvent({ body: null });

    expect([json.body, json.isBase64Encoded]).to.deep.equal(['{"name":"Kitchen"}', false]);
    expect([text.body, text.isBase64Encoded]).to.deep.equal(['name=Kitchen', false]);
    expect([none.body, none.isBase64Encoded]).to.deep.equal([null, false]);
  });

  it('keeps a base64 body the test encoded itself', () => {
    const body = Buffer.from('{"name":"Kitchen"}').toString('base64');

    const event = apiGatewayProxyEvent({ body, isBase64Encoded: true });

    expect(parseJsonBody(event, z.object({ name: z.string() }))).to.deep.equal({ name: 'Kitchen' });
  });

  it('derives the multi-value maps from the query and headers', () => {
    const event = apiGatewayProxyEvent({
      queryStringParameters: { limit: '10' },
      headers: { authorization: 'Bearer token' },
    });

    expect(event.multiValueQueryStringParameters).to.deep.equal({ limit: ['10'] });
    expect(event.multiValueHeaders).to.deep.equal({ authorization: ['Bearer token'] });
    expect(apiGatewayProxyEvent({ queryStringParameters: null }).multiValueQueryStringParameters).to.equal(
      null,
    );
  });

  it("passes the authorizer's context and any request context field", () => {
    const event = apiGatewayProxyEvent({
      authorizer: { userId: 'u-1', groups: 'admins' },
      stage: 'dev',
      requestContext: { requestId: 'req-1' },
    });

    expect(event.requestContext.authorizer).to.deep.equal({ userId: 'u-1', groups: 'admins' });
    expect(event.requestContext).to.include({
      stage: 'dev',
      path: '/dev/path/to/resource',
      requestId: 'req-1',
    });
  });

  it('gives each event its own objects', () => {
    const first = apiGatewayProxyEvent();
    first.headers.Host = 'changed';
    first.requestContext.identity.sourceIp = '203.0.113.9';

    const second = apiGatewayProxyEvent();

    expect(second.headers.Host).to.equal('1234567890.execute-api.amazonaws.com');
    expect(second.requestContext.identity.sourceIp).to.equal('127.0.0.1');
  });
});
