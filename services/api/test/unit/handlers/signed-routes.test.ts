import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import type { HttpHandler } from '@serverless-patterns/shared/http';
import {
  captureLogsInEachTest,
  commandsSent,
  lambdaContext,
  mockClientsInEachTest,
} from '@serverless-patterns/shared/testing';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { expect } from 'chai';
import type { RequestIdentity } from '../../../src/core/signed-caller';
import { routeEvent } from '../factories';

// The IAM-authorized routes (authorizer: aws_iam): API Gateway has verified the signature and the
// role's policy, and names the caller in requestContext.identity; there is no authorizer context.

const ADMIN_IDENTITY: RequestIdentity = {
  accountId: '123456789012',
  caller: 'AROAEXAMPLEADMIN:CognitoIdentityCredentials',
  accessKey: 'ASIAEXAMPLEKEY',
  userArn:
    'arn:aws:sts::123456789012:assumed-role/serverless-patterns-api-IdentityAdminRole-X1/CognitoIdentityCredentials',
  cognitoIdentityId: 'us-east-1:0a1b2c3d-1111-2222-3333-444455556666',
  cognitoIdentityPoolId: 'us-east-1:9f8e7d6c-1111-2222-3333-444455556666',
  cognitoAuthenticationType: 'authenticated',
  cognitoAuthenticationProvider: 'cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool1',
};

function signedEvent(resource: string, identity: RequestIdentity | null): APIGatewayProxyEvent {
  const event = routeEvent({ method: 'GET', resource, authorizer: null });
  return {
    ...event,
    requestContext: {
      ...event.requestContext,
      identity: { ...event.requestContext.identity, ...(identity ?? {}) },
    },
  } as APIGatewayProxyEvent;
}

async function load(file: string): Promise<HttpHandler> {
  const saved = process.env.API_TABLE_NAME;
  process.env.API_TABLE_NAME = 'api-table';
  try {
    return ((await import(`../../../src/handlers/${file}`)) as { handler: HttpHandler }).handler;
  } finally {
    if (saved === undefined) delete process.env.API_TABLE_NAME;
    else process.env.API_TABLE_NAME = saved;
  }
}

describe('IAM-authorized routes', () => {
  const table = mockClientsInEachTest({ documentClient });
  captureLogsInEachTest();

  it('GET /me/credentials-check: 200 with the identity and the role API Gateway named', async () => {
    const handler = await load('check-credentials');

    const result = await handler(signedEvent('/me/credentials-check', ADMIN_IDENTITY), lambdaContext());

    expect(result.statusCode).to.equal(200);
    expect(JSON.parse(result.body)).to.include({
      identityId: ADMIN_IDENTITY.cognitoIdentityId,
      identityPoolId: ADMIN_IDENTITY.cognitoIdentityPoolId,
      role: 'serverless-patterns-api-IdentityAdminRole-X1',
      authenticationType: 'authenticated',
    });
  });

  it('GET /admin/iam/devices/count: 200 with the count and the role that asked', async () => {
    const handler = await load('count-devices-signed');
    table.documentClient.on(ScanCommand).resolves({ Count: 4 });

    const result = await handler(signedEvent('/admin/iam/devices/count', ADMIN_IDENTITY), lambdaContext());

    expect(result.statusCode).to.equal(200);
    expect(JSON.parse(result.body)).to.deep.equal({
      count: 4,
      role: 'serverless-patterns-api-IdentityAdminRole-X1',
    });
  });

  for (const [file, resource] of [
    ['check-credentials', '/me/credentials-check'],
    ['count-devices-signed', '/admin/iam/devices/count'],
  ] as const) {
    it(`${resource}: 401 without an identity pool identity, reading nothing`, async () => {
      const handler = await load(file);

      const result = await handler(signedEvent(resource, null), lambdaContext());

      expect(result.statusCode).to.equal(401);
      expect(commandsSent(table.documentClient)).to.deep.equal([]);
    });
  }
});
