import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { type AwsClients, awsClients } from '@serverless-patterns/local/testing';
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { expect } from 'chai';
import { apiService, type TestCloud, useLocalCloud } from './cloud';
import {
  type ApiResponse,
  expectApiError,
  expectNoStackTrace,
  patiently,
  send,
  sendSignedIn,
  warmRoutes,
} from './http';
import { type BentTokens, bearer, bendIdToken, type People, type Person, people } from './users';

// Every route of the api against every kind of caller, through HTTP to the local cloud, where
// serverless-offline runs the same Lambda authorizers as API Gateway: an authorizer's 'Unauthorized'
// is a 401, its Deny a 403, and a handler's NotFoundError a 404.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html

interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  authorizer: 'people' | 'admin';
  /** The status of the route's own success. */
  success: number;
  body?: string;
}

const ROUTES: readonly Route[] = [
  {
    method: 'POST',
    path: '/devices',
    authorizer: 'people',
    success: 201,
    body: JSON.stringify({ name: 'Hall', location: 'Ground floor', thresholdC: 21.5 }),
  },
  { method: 'GET', path: '/devices', authorizer: 'people', success: 200 },
  { method: 'GET', path: '/devices/{deviceId}', authorizer: 'people', success: 200 },
  {
    method: 'PATCH',
    path: '/devices/{deviceId}',
    authorizer: 'people',
    success: 200,
    body: JSON.stringify({ thresholdC: 19 }),
  },
  { method: 'DELETE', path: '/devices/{deviceId}', authorizer: 'people', success: 204 },
  { method: 'POST', path: '/devices/{deviceId}/token', authorizer: 'people', success: 201 },
  { method: 'GET', path: '/me', authorizer: 'people', success: 200 },
  { method: 'GET', path: '/admin/devices/count', authorizer: 'admin', success: 200 },
];

const takesDevice = (route: Route) => route.path.includes('{deviceId}');

interface Actors {
  owner: Person;
  intruder: Person;
  admin: Person;
  bent: BentTokens;
  deviceToken: string;
  /** One of the owner's devices, that no matrix cell may change. */
  ownersDevice: string;
  /** A new device of the owner, for a cell that may change or delete it. */
  freshDevice(): Promise<string>;
}

interface Case {
  name: string;
  appliesTo(route: Route): boolean;
  expected(route: Route): number;
  /** The caller's headers and the device the route is called for. */
  request(route: Route, actors: Actors): Promise<{ headers: Record<string, string>; deviceId?: string }>;
}

const everyRoute = () => true;
const refused = (status: number) => () => status;
const onOwnersDevice = (headers: Record<string, string>) => async (_route: Route, actors: Actors) => ({
  headers,
  deviceId: actors.ownersDevice,
});

const CASES: readonly Case[] = [
  {
    name: 'no token',
    appliesTo: everyRoute,
    expected: refused(401),
    request: onOwnersDevice({}),
  },
  {
    name: 'a malformed token',
    appliesTo: everyRoute,
    expected: refused(401),
    request: async (_route, { bent, ownersDevice }) => ({
      headers: bearer(bent.malformed),
      deviceId: ownersDevice,
    }),
  },
  {
    name: 'a forged signature',
    appliesTo: everyRoute,
    expected: refused(401),
    request: async (_route, { bent, ownersDevice }) => ({
      headers: bearer(bent.forged),
      deviceId: ownersDevice,
    }),
  },
  {
    name: 'an expired token',
    appliesTo: everyRoute,
    expected: refused(401),
    request: async (_route, { bent, ownersDevice }) => ({
      headers: bearer(bent.expired),
      deviceId: ownersDevice,
    }),
  },
  {
    name: 'a token for another audience',
    appliesTo: everyRoute,
    expected: refused(401),
    request: async (_route, { bent, ownersDevice }) => ({
      headers: bearer(bent.wrongAudience),
      deviceId: ownersDevice,
    }),
  },
  {
    name: 'a token from another issuer',
    appliesTo: everyRoute,
    expected: refused(401),
    request: async (_route, { bent, ownersDevice }) => ({
      headers: bearer(bent.wrongIssuer),
      deviceId: ownersDevice,
    }),
  },
  {
    name: "the owner's access token instead of the ID token",
    appliesTo: everyRoute,
    expected: refused(401),
    request: async (_route, { owner, ownersDevice }) => ({
      headers: bearer(owner.accessToken),
      deviceId: ownersDevice,
    }),
  },
  {
    name: 'a device token instead of a person',
    appliesTo: everyRoute,
    expected: refused(401),
    request: async (_route, { deviceToken, ownersDevice }) => ({
      headers: { ...bearer(deviceToken), 'x-device-token': deviceToken },
      deviceId: ownersDevice,
    }),
  },
  {
    // The control of the bent tokens: the owner's claims re-signed by this test with the emulator's
    // key are accepted, so each refusal above is for the one property that was bent.
    name: "the owner's claims re-signed with the emulator's key",
    appliesTo: everyRoute,
    expected: (route) => (route.authorizer === 'admin' ? 403 : route.success),
    request: async (route, actors) => ({
      headers: bearer(actors.bent.resigned),
      deviceId: takesDevice(route) ? await actors.freshDevice() : undefined,
    }),
  },
  {
    name: "the owner's own token",
    appliesTo: (route) => route.authorizer === 'people',
    expected: (route) => route.success,
    request: async (route, actors) => ({
      headers: bearer(actors.owner.idToken),
      deviceId: takesDevice(route) ? await actors.freshDevice() : undefined,
    }),
  },
  {
    name: "another person on the owner's device",
    appliesTo: takesDevice,
    expected: refused(404),
    request: async (_route, { intruder, ownersDevice }) => ({
      headers: bearer(intruder.idToken),
      deviceId: ownersDevice,
    }),
  },
  {
    name: "an admin on the owner's device",
    appliesTo: takesDevice,
    expected: refused(404),
    request: async (_route, { admin, ownersDevice }) => ({
      headers: bearer(admin.idToken),
      deviceId: ownersDevice,
    }),
  },
  {
    name: 'a signed-in person outside the admins group',
    appliesTo: (route) => route.authorizer === 'admin',
    expected: refused(403),
    request: async (_route, { intruder }) => ({ headers: bearer(intruder.idToken) }),
  },
  {
    name: 'an admin',
    appliesTo: (route) => route.authorizer === 'admin',
    expected: (route) => route.success,
    request: async (_route, { admin }) => ({ headers: bearer(admin.idToken) }),
  },
];

const cells = ROUTES.flatMap((route) =>
  CASES.filter((matrixCase) => matrixCase.appliesTo(route)).map((matrixCase) => ({ route, matrixCase })),
);
const MATRIX_SIZE = `${ROUTES.length} routes x ${CASES.length} cases = ${cells.length} cells`;

describe(`api: authorization matrix (${MATRIX_SIZE}, ${
  ROUTES.length * CASES.length - cells.length
} not applicable)`, () => {
  let cloud: TestCloud;
  let apiUrl: string;
  let persons: People;
  let actors: Actors;
  let aws: AwsClients;
  let dynamodb: DynamoDBDocumentClient;

  before(async function () {
    this.timeout(300_000);
    cloud = await useLocalCloud();
    apiUrl = apiService(cloud).apiUrl;
    persons = people(cloud);
    const [owner, intruder, admin] = await Promise.all([
      persons.create(),
      persons.create(),
      persons.create({ admin: true }),
    ]);
    await warmRoutes(apiUrl, owner, admin);
    const freshDevice = () => registerDevice(apiUrl, owner);
    const deviceWithToken = await freshDevice();
    actors = {
      owner,
      intruder,
      admin,
      bent: bendIdToken(owner.idToken),
      deviceToken: await issueToken(apiUrl, owner, deviceWithToken),
      ownersDevice: await freshDevice(),
      freshDevice,
    };
    aws = awsClients(cloud.description);
    dynamodb = DynamoDBDocumentClient.from(aws.dynamodb);
  });

  after(() => {
    persons?.destroy();
    aws?.destroy();
  });

  for (const { route, matrixCase } of cells) {
    const expected = matrixCase.expected(route);
    it(`${route.method} ${route.path}, ${matrixCase.name}: ${expected}`, async () => {
      const { headers, deviceId } = await matrixCase.request(route, actors);
      const path = route.path.replace('{deviceId}', deviceId ?? 'no-device');

      // A 401 where none is expected, or a 504, is the local cloud stalling (see patiently): sent again.
      const response = await patiently(
        () => send(apiUrl, route.method, path, { headers, body: route.body }),
        (answer) => answer.status === 504 || (answer.status === 401 && expected !== 401),
        () => console.log(`      (${route.method} ${path} stalled, sent again)`),
      );

      expect(response.status, `${route.method} ${path}: ${response.text}`).to.equal(expected);
      expectNoStackTrace(response);
      if (expected === 404) expectApiError(response, 'NOT_FOUND');
      if (expected < 300) expectSuccessOf(route, response, actors);
    });
  }

  // A 401 says nothing about why: a caller cannot tell an expired token from a forged one. (Without a
  // token, API Gateway refuses before any authorizer runs, with its own message.)
  it('answers every refused token of a route with the same body, naming no reason', async () => {
    const badTokens = CASES.filter((matrixCase) => matrixCase.name !== 'no token').filter((matrixCase) =>
      ROUTES.every((route) => matrixCase.appliesTo(route) && matrixCase.expected(route) === 401),
    );
    expect(badTokens).to.have.lengthOf(7);
    for (const route of ROUTES) {
      const bodies = new Set<string>();
      for (const badToken of badTokens) {
        const { headers, deviceId } = await badToken.request(route, actors);
        const path = route.path.replace('{deviceId}', deviceId ?? 'no-device');
        const response = await patiently(
          () => send(apiUrl, route.method, path, { headers, body: route.body }),
          (answer) => answer.status === 504,
        );
        expect(response.status, `${route.method} ${path}, ${badToken.name}`).to.equal(401);
        bodies.add(response.text);
      }
      expect([...bodies], route.path).to.have.lengthOf(1);
      expect([...bodies][0], route.path).not.to.match(/expire|signature|audience|issuer|token_use|jwks|kid/i);
    }
  });

  it("leaves the owner's device untouched by every refused call, and issues it no token", async () => {
    const response = await sendSignedIn(apiUrl, 'GET', `/devices/${actors.ownersDevice}`, {
      headers: bearer(actors.owner.idToken),
    });

    expect(response.status, response.text).to.equal(200);
    expect(response.json).to.include({ deviceId: actors.ownersDevice, thresholdC: 21.5 });
    const { Item } = await dynamodb.send(
      new GetCommand({
        TableName: apiService(cloud).resource('ApiTable'),
        Key: { pk: `device#${actors.ownersDevice}`, sk: 'token' },
        ConsistentRead: true,
      }),
    );
    expect(Item).to.equal(undefined);
  });

  it("lists only the caller's own devices", async () => {
    const intrudersDevice = await registerDevice(apiUrl, actors.intruder);

    const mine = await sendSignedIn(apiUrl, 'GET', '/devices', { headers: bearer(actors.intruder.idToken) });

    expect(mine.status, mine.text).to.equal(200);
    const devices = (mine.json as { devices: { deviceId: string; ownerId: string }[] }).devices;
    expect(devices.map((device) => [device.deviceId, device.ownerId])).to.deep.equal([
      [intrudersDevice, actors.intruder.userId],
    ]);
  });

  it('serves the same route through the front door, with the same refusals', async () => {
    const portalUrl = cloud.description.portalUrl;
    expect(portalUrl, 'the local cloud has a front door').to.be.a('string');

    const signedIn = await sendSignedIn(portalUrl ?? '', 'GET', '/devices', {
      headers: bearer(actors.owner.idToken),
    });
    const anonymous = await send(portalUrl ?? '', 'GET', '/devices');

    expect(signedIn.status, signedIn.text).to.equal(200);
    const ids = (signedIn.json as { devices: { deviceId: string }[] }).devices.map(
      (device) => device.deviceId,
    );
    expect(ids).to.include(actors.ownersDevice);
    expect(anonymous.status, anonymous.text).to.equal(401);
    expectNoStackTrace(anonymous);
  });
});

function expectSuccessOf(route: Route, response: ApiResponse, actors: Actors): void {
  if (route.success === 204) {
    expect(response.text).to.equal('');
    return;
  }
  expect(response.contentType).to.match(/^application\/json/);
  const body = response.json as Record<string, unknown>;
  if (route.path === '/me') expect(body).to.include({ userId: actors.owner.userId, isAdmin: false });
  if (route.path === '/admin/devices/count') expect(body.count).to.be.a('number').that.is.at.least(2);
  if (route.path.startsWith('/devices/')) expect(body).to.have.property('deviceId').that.is.a('string');
  if (route.method === 'POST' && route.path === '/devices') {
    expect(body).to.include({ ownerId: actors.owner.userId, name: 'Hall' });
  }
}

async function registerDevice(apiUrl: string, owner: Person): Promise<string> {
  const response = await sendSignedIn(apiUrl, 'POST', '/devices', {
    headers: bearer(owner.idToken),
    body: JSON.stringify({ name: 'Kitchen', location: 'Ground floor', thresholdC: 21.5 }),
  });
  expect(response.status, response.text).to.equal(201);
  return (response.json as { deviceId: string }).deviceId;
}

async function issueToken(apiUrl: string, owner: Person, deviceId: string): Promise<string> {
  const response = await sendSignedIn(apiUrl, 'POST', `/devices/${deviceId}/token`, {
    headers: bearer(owner.idToken),
  });
  expect(response.status, response.text).to.equal(201);
  return (response.json as { token: string }).token;
}

// --- Device tokens ------------------------------------------------------------------------------
//
// No api route uses the device authorizer yet (the telemetry route arrives with clickstream), so its
// decisions are checked by invoking the deployed function as API Gateway would: a TOKEN authorizer
// event whose methodArn is the telemetry route of a device.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html

const STAGE_ARN = 'arn:aws:execute-api:us-east-1:000000000000:localapi/local';
const telemetryArn = (deviceId: string) => `${STAGE_ARN}/POST/telemetry/${deviceId}`;

type Decision = { allowed: APIGatewayAuthorizerResult } | { refused: string };

describe('api: device authorizer decisions (device tokens, invoked through the Lambda endpoint)', () => {
  let cloud: TestCloud;
  let apiUrl: string;
  let persons: People;
  let aws: AwsClients;
  let lambda: LambdaClient;
  let owner: Person;
  let device: string;
  let otherDevice: string;
  let token: string;
  let otherToken: string;

  // A timed-out invocation (serverless-offline's "[504] - Lambda timeout.") is a stall: invoked again.
  const authorize = (authorizationToken: string, methodArn: string): Promise<Decision> =>
    patiently(
      async (): Promise<Decision> => {
        const event: APIGatewayTokenAuthorizerEvent = { type: 'TOKEN', authorizationToken, methodArn };
        const result = await lambda.send(
          new InvokeCommand({
            FunctionName: apiService(cloud).functionName('authorizeDevice'),
            Payload: JSON.stringify(event),
          }),
        );
        const payload = JSON.parse(Buffer.from(result.Payload ?? []).toString('utf8'));
        return result.FunctionError === undefined ? { allowed: payload } : { refused: payload.errorMessage };
      },
      (decision) => 'refused' in decision && decision.refused.startsWith('[504]'),
    );

  before(async function () {
    this.timeout(300_000);
    cloud = await useLocalCloud();
    const api = apiService(cloud);
    apiUrl = api.apiUrl;
    persons = people(cloud);
    aws = awsClients(cloud.description);
    lambda = aws.lambda('api');
    owner = await persons.create();
    device = await registerDevice(apiUrl, owner);
    otherDevice = await registerDevice(apiUrl, owner);
    token = await issueToken(apiUrl, owner, device);
    otherToken = await issueToken(apiUrl, owner, otherDevice);
  });

  after(() => {
    persons?.destroy();
    aws?.destroy();
  });

  it("allows a token on its own device's telemetry route, and on exactly that resource", async () => {
    const decision = await authorize(token, telemetryArn(device));

    expect(decision).to.deep.equal({
      allowed: {
        principalId: device,
        policyDocument: {
          Version: '2012-10-17',
          Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: telemetryArn(device) }],
        },
        context: { deviceId: device, ownerId: owner.userId },
      },
    });
  });

  it("gives a token used on another device's route a policy that does not cover that route", async () => {
    const decision = await authorize(token, telemetryArn(otherDevice));

    expect(decision).to.have.property('allowed');
    const { allowed } = decision as { allowed: APIGatewayAuthorizerResult };
    expect(allowed.context).to.deep.equal({ deviceId: device, ownerId: owner.userId });
    expect(allows(allowed, telemetryArn(otherDevice))).to.equal(false);
    expect(allows(allowed, telemetryArn(device))).to.equal(true);
  });

  it("refuses a token carrying another device's id with its own secret", async () => {
    const secret = token.slice(token.lastIndexOf('.') + 1);

    expect(await authorize(`${otherDevice}.${secret}`, telemetryArn(otherDevice))).to.deep.equal({
      refused: 'Unauthorized',
    });
    expect(await authorize(otherToken, telemetryArn(otherDevice))).to.have.property('allowed');
  });

  it('refuses the old token at once after a rotation, and allows the new one', async () => {
    const rotated = await issueToken(apiUrl, owner, device);

    expect(rotated).not.to.equal(token);
    expect(await authorize(token, telemetryArn(device))).to.deep.equal({ refused: 'Unauthorized' });
    expect(await authorize(rotated, telemetryArn(device))).to.have.property('allowed');
    token = rotated;
  });

  it("refuses a deleted device's token", async () => {
    const deleted = await sendSignedIn(apiUrl, 'DELETE', `/devices/${otherDevice}`, {
      headers: bearer(owner.idToken),
    });

    expect(deleted.status, deleted.text).to.equal(204);
    expect(await authorize(otherToken, telemetryArn(otherDevice))).to.deep.equal({ refused: 'Unauthorized' });
  });

  it("refuses a malformed token, an unknown device, and a person's ID token", async () => {
    for (const bad of ['', 'abc.def', `${device}.${'A'.repeat(43)}`, `unknown-device.${'A'.repeat(43)}`]) {
      expect(await authorize(bad, telemetryArn(device)), bad).to.deep.equal({ refused: 'Unauthorized' });
    }
    expect(await authorize(owner.idToken, telemetryArn(device))).to.deep.equal({ refused: 'Unauthorized' });
  });
});

/** Whether an Allow statement of the policy matches the ARN (IAM wildcards: * and ?), with no Deny. */
function allows(result: APIGatewayAuthorizerResult, arn: string): boolean {
  const statements = result.policyDocument.Statement as { Effect: string; Resource?: string | string[] }[];
  const matching = statements.filter((statement) =>
    [statement.Resource ?? []].flat().some((resource) => wildcard(resource).test(arn)),
  );
  return matching.some((s) => s.Effect === 'Allow') && !matching.some((s) => s.Effect === 'Deny');
}

function wildcard(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}
