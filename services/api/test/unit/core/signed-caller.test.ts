import { UnauthorizedError } from '@serverless-patterns/shared/errors';
import { expect } from 'chai';
import { type RequestIdentity, signedCallerFrom } from '../../../src/core/signed-caller';

// requestContext.identity as API Gateway fills it for a call signed with identity pool credentials.
const IDENTITY: RequestIdentity = {
  accountId: '123456789012',
  caller: 'AROAEXAMPLEROLEID:CognitoIdentityCredentials',
  accessKey: 'ASIAEXAMPLEKEY',
  userArn:
    'arn:aws:sts::123456789012:assumed-role/serverless-patterns-api-IdentityUserRole-X1/CognitoIdentityCredentials',
  cognitoIdentityId: 'us-east-1:0a1b2c3d-1111-2222-3333-444455556666',
  cognitoIdentityPoolId: 'us-east-1:9f8e7d6c-1111-2222-3333-444455556666',
  cognitoAuthenticationType: 'authenticated',
  cognitoAuthenticationProvider:
    'cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool1,cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool1:CognitoSignIn:sub-1',
};

describe('signedCallerFrom', () => {
  it('names the identity, its pool and the role the credentials act as', () => {
    expect(signedCallerFrom(IDENTITY)).to.deep.equal({
      identityId: IDENTITY.cognitoIdentityId,
      identityPoolId: IDENTITY.cognitoIdentityPoolId,
      authenticationType: 'authenticated',
      authenticationProvider: IDENTITY.cognitoAuthenticationProvider,
      role: 'serverless-patterns-api-IdentityUserRole-X1',
      userArn: IDENTITY.userArn,
      caller: IDENTITY.caller,
      accountId: '123456789012',
    });
  });

  it('refuses a request without an identity pool identity (a route not behind aws_iam)', () => {
    const unsigned: RequestIdentity = {
      ...IDENTITY,
      userArn: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
    };
    expect(() => signedCallerFrom(unsigned)).to.throw(UnauthorizedError);
    expect(() => signedCallerFrom(undefined)).to.throw(UnauthorizedError);
  });

  it('refuses an IAM user or a role that is not an assumed role session', () => {
    for (const userArn of ['arn:aws:iam::123456789012:user/alice', 'arn:aws:iam::123456789012:role/admin']) {
      expect(() => signedCallerFrom({ ...IDENTITY, userArn }), userArn).to.throw(UnauthorizedError);
    }
  });
});
