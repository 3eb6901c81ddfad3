import { expect } from 'chai';
import { parseMethodArn, policy, routeArn, wholeApiArn } from '../../../src/authorizers/policy';

describe('authorizer policy', () => {
  describe('parseMethodArn', () => {
    it('reads the method ARN API Gateway sends', () => {
      expect(
        parseMethodArn('arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/devices/dev-1'),
      ).to.deep.equal({
        partition: 'aws',
        region: 'eu-west-1',
        accountId: '123456789012',
        apiId: 'abc123',
        stage: 'prod',
        method: 'GET',
        resourcePath: '/devices/dev-1',
      });
    });

    it('reads the root resource and other partitions', () => {
      expect(
        parseMethodArn('arn:aws-cn:execute-api:cn-north-1:123456789012:abc123/dev/GET/'),
      ).to.deep.include({
        partition: 'aws-cn',
        resourcePath: '/',
      });
    });

    it("reads serverless-offline's placeholders", () => {
      // It writes the route template into the ARN, not the path (createAuthScheme.js, request.route.path).
      const arn =
        'arn:aws:execute-api:us-east-1:random-account-id:random-api-id/local/POST/devices/{deviceId}';

      expect(parseMethodArn(arn)).to.deep.include({ accountId: 'random-account-id', apiId: 'random-api-id' });
    });

    for (const arn of [
      '',
      'not-an-arn',
      'arn:aws:s3:::bucket/key',
      'arn:aws:execute-api:eu-west-1:123:abc123',
    ]) {
      it(`refuses ${JSON.stringify(arn)} with a 401`, () => {
        expect(() => parseMethodArn(arn)).to.throw(Error, /^Unauthorized$/);
      });
    }
  });

  it('covers the whole stage of the API, whatever method was called', () => {
    const arn = parseMethodArn('arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/DELETE/devices/dev-1');

    expect(wholeApiArn(arn)).to.equal('arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*');
  });

  it('names one route of the same API and stage', () => {
    const arn = parseMethodArn('arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/me');

    expect(routeArn(arn, 'POST', '/devices/dev-1/telemetry')).to.equal(
      'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/POST/devices/dev-1/telemetry',
    );
  });

  it('writes the policy document API Gateway expects, with a context only when given', () => {
    expect(policy('Deny', 'user-1', 'arn:x')).to.deep.equal({
      principalId: 'user-1',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: 'arn:x' }],
      },
    });
    expect(policy('Allow', 'user-1', 'arn:x', { userId: 'user-1' }).context).to.deep.equal({
      userId: 'user-1',
    });
  });
});
