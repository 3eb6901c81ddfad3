import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import { expect } from 'chai';
import { captureLogsInEachTest, lambdaContext } from '../../../src/testing';
import { requestEvent, tokenEvent, WHOLE_API_ARN } from './events';
import {
  CLIENT_ID,
  createSigningKey,
  idTokenClaims,
  type JwksServer,
  rejectionOf,
  type SigningKey,
  signJwt,
  startJwksServer,
} from './jwt-kit';

type Handler<E> = (event: E, context: Context) => Promise<APIGatewayAuthorizerResult>;

const STAGE_VARIABLES = [
  'PEOPLE_JWT_ISSUER',
  'PEOPLE_JWT_AUDIENCE',
  'PEOPLE_JWT_JWKS_URI',
  'PEOPLE_JWT_TOKEN_USE',
  'ADMIN_GROUP',
  'ADMIN_ACCESS',
  'DEVICE_TOKENS_TABLE',
] as const;

// Another suite of the same run (the api's) may have imported these handlers with its own
// configuration, and a module is loaded once per process: a query of this suite's own gives it a
// cold start of its own (one container for the whole suite).
const THIS_SUITE = `?cold-start=${process.pid}-${Date.now()}`;
const coldStart = (path: string) => import(`${path}${THIS_SUITE}`);

// The handlers read their configuration when their module is first imported (the cold start), so the
// stage variables are set before the dynamic imports and restored afterwards.
describe('authorizer handlers (configuration read at cold start)', () => {
  let key: SigningKey;
  let jwks: JwksServer;
  let saved: Partial<Record<(typeof STAGE_VARIABLES)[number], string>>;
  const logs = captureLogsInEachTest();
  // What the handlers logged, leaving out Powertools' own notices (metrics, tracing) about the run.
  const logged = () => logs.logs().filter((entry) => entry.level === 'INFO' || entry.level === 'ERROR');

  before(async function () {
    this.timeout(10_000);
    key = createSigningKey('pool-key-1');
    jwks = await startJwksServer([key]);
    saved = Object.fromEntries(STAGE_VARIABLES.map((name) => [name, process.env[name]]));
    for (const name of STAGE_VARIABLES) delete process.env[name];
    Object.assign(process.env, {
      PEOPLE_JWT_ISSUER: jwks.issuer,
      PEOPLE_JWT_AUDIENCE: CLIENT_ID,
      ADMIN_ACCESS: 'admins-only',
      DEVICE_TOKENS_TABLE: 'api-table',
    });
  });

  after(async () => {
    for (const name of STAGE_VARIABLES) {
      const value = saved[name];
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await jwks.close();
  });

  it('people: allows a valid token with the stage configuration', async () => {
    const { handler } = (await coldStart('../../../src/authorizers/people/handler.ts')) as {
      handler: Handler<unknown>;
    };
    const token = signJwt(key, idTokenClaims(jwks.issuer));

    const result = await handler(tokenEvent(`Bearer ${token}`), lambdaContext());

    expect(result.policyDocument.Statement).to.deep.equal([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: WHOLE_API_ARN },
    ]);
  });

  it('people: keeps the 401 and logs why, without the token', async () => {
    const { handler } = (await coldStart('../../../src/authorizers/people/handler.ts')) as {
      handler: Handler<unknown>;
    };
    const past = Math.floor(Date.now() / 1000) - 7200;
    const token = signJwt(key, idTokenClaims(jwks.issuer, { iat: past, exp: past + 3600 }));

    const error = await rejectionOf(handler(tokenEvent(`Bearer ${token}`), lambdaContext()));

    expect(error.message).to.equal('Unauthorized');
    expect(logged()).to.have.length(1);
    expect(JSON.stringify(logged()[0])).to.include('Token expired').and.not.include(token.split('.')[2]);
  });

  it('admin: denies a non-admin under admins-only, and logs the denial', async () => {
    const { handler } = (await coldStart('../../../src/authorizers/admin/handler.ts')) as {
      handler: Handler<APIGatewayRequestAuthorizerEvent>;
    };
    const token = signJwt(key, idTokenClaims(jwks.issuer, { 'cognito:groups': ['beta'] }));
    const result = await handler(requestEvent({ Authorization: `Bearer ${token}` }), lambdaContext());

    expect(result.policyDocument.Statement).to.deep.equal([
      { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: WHOLE_API_ARN },
    ]);
    expect(logged().map(({ message }) => message)).to.deep.equal(['authorizer denied']);
  });

  it('device: refuses a malformed token before any table read', async () => {
    const { handler } = (await coldStart('../../../src/authorizers/device/handler.ts')) as {
      handler: Handler<unknown>;
    };

    const error = await rejectionOf(handler(tokenEvent('not-a-device-token'), lambdaContext()));

    expect(error.message).to.equal('Unauthorized');
  });
});
