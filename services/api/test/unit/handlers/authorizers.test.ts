import { expect } from 'chai';

// The handlers read their configuration at cold start, as in Lambda.
const AUTHORIZER_ENVIRONMENT = {
  PEOPLE_JWT_ISSUER: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE',
  PEOPLE_JWT_AUDIENCE: 'portal-client-id',
  DEVICE_TOKENS_TABLE: 'api-table',
};

describe('authorizer handlers', () => {
  const saved: Record<string, string | undefined> = {};

  before(() => {
    for (const [name, value] of Object.entries(AUTHORIZER_ENVIRONMENT)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  });
  after(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  // Declared by name in this service, written once in shared: the function is the shared one, unchanged.
  it('authorizePeople is the shared people authorizer', async () => {
    const local = await import('../../../src/handlers/authorize-people');
    const shared = await import('@serverless-patterns/shared/authorizers/people/handler');

    expect(local.handler).to.be.a('function').and.to.equal(shared.handler);
  });

  it('authorizeAdmin is the shared admin authorizer', async () => {
    const local = await import('../../../src/handlers/authorize-admin');
    const shared = await import('@serverless-patterns/shared/authorizers/admin/handler');

    expect(local.handler).to.be.a('function').and.to.equal(shared.handler);
  });

  it('authorizeDevice is the shared device authorizer', async () => {
    const local = await import('../../../src/handlers/authorize-device');
    const shared = await import('@serverless-patterns/shared/authorizers/device/handler');

    expect(local.handler).to.be.a('function').and.to.equal(shared.handler);
  });
});
