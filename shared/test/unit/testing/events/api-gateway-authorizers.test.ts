import { expect } from 'chai';
import { requestAuthorizerEvent, tokenAuthorizerEvent } from '../../../../src/testing';
import { asDelivered, awsSample, fieldPaths } from '../sample-shapes';

const tokenSample = awsSample('apigateway-authorizer');
const requestSample = awsSample('apigateway-request-authorizer');

const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:210987654321:abc123/prod/DELETE/devices/dev-1';

describe('testing: tokenAuthorizerEvent', () => {
  it('is the TOKEN authorizer sample', () => {
    expect(fieldPaths(tokenAuthorizerEvent())).to.deep.equal(fieldPaths(tokenSample));
    expect(asDelivered(tokenAuthorizerEvent())).to.deep.equal(tokenSample);
  });

  it('carries the token and method a test names', () => {
    const event = tokenAuthorizerEvent({ authorizationToken: 'Bearer abc', methodArn: METHOD_ARN });

    expect(event).to.deep.equal({ type: 'TOKEN', authorizationToken: 'Bearer abc', methodArn: METHOD_ARN });
  });
});

describe('testing: requestAuthorizerEvent', () => {
  it('is the REQUEST authorizer sample', () => {
    expect(fieldPaths(requestAuthorizerEvent())).to.deep.equal(fieldPaths(requestSample));
    expect(asDelivered(requestAuthorizerEvent())).to.deep.equal(requestSample);
  });

  it('takes the method, path, stage, API and account from the method ARN', () => {
    const event = requestAuthorizerEvent({ methodArn: METHOD_ARN, resource: '/devices/{deviceId}' });

    expect(event).to.include({
      methodArn: METHOD_ARN,
      httpMethod: 'DELETE',
      path: '/devices/dev-1',
      resource: '/devices/{deviceId}',
    });
    expect(event.requestContext).to.include({
      httpMethod: 'DELETE',
      stage: 'prod',
      apiId: 'abc123',
      accountId: '210987654321',
      resourcePath: '/devices/{deviceId}',
    });
  });

  it('carries the headers, query and request context a test names', () => {
    const event = requestAuthorizerEvent({
      headers: { 'x-device-token': 'secret' },
      queryStringParameters: null,
      requestContext: { requestId: 'req-1' },
    });

    expect(event.headers).to.deep.equal({ 'x-device-token': 'secret' });
    expect(event.queryStringParameters).to.equal(null);
    expect(event.requestContext.requestId).to.equal('req-1');
  });
});
