import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import { DEFAULT_MAX_BODY_BYTES, type HttpHandler } from '@serverless-patterns/shared/http';
import {
  captureLogsInEachTest,
  commandsSent,
  lambdaContext,
  mockClientsInEachTest,
} from '@serverless-patterns/shared/testing';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { expect } from 'chai';
import { adminContext, GRACE, peopleContext, type RouteEventOptions, routeEvent } from '../factories';

const DEVICE_ID = '5b0e7c1a-3f0d-4c0b-9a51-2f7d9d3e8c11';
const TABLE_NAME = 'api-table';

interface Route {
  handlerFile: string;
  event: RouteEventOptions;
}

// Every route of the API, with a request that the route accepts.
const ROUTES: Record<string, Route> = {
  'POST /devices': {
    handlerFile: 'register-device',
    event: {
      method: 'POST',
      resource: '/devices',
      body: { name: 'Living room', location: 'Ground floor', thresholdC: 28 },
    },
  },
  'GET /devices': { handlerFile: 'list-devices', event: { method: 'GET', resource: '/devices' } },
  'GET /devices/{deviceId}': {
    handlerFile: 'get-device',
    event: { method: 'GET', resource: '/devices/{deviceId}', pathParameters: { deviceId: DEVICE_ID } },
  },
  'PATCH /devices/{deviceId}': {
    handlerFile: 'update-device-threshold',
    event: {
      method: 'PATCH',
      resource: '/devices/{deviceId}',
      pathParameters: { deviceId: DEVICE_ID },
      body: { thresholdC: 21 },
    },
  },
  'DELETE /devices/{deviceId}': {
    handlerFile: 'delete-device',
    event: { method: 'DELETE', resource: '/devices/{deviceId}', pathParameters: { deviceId: DEVICE_ID } },
  },
  'POST /devices/{deviceId}/token': {
    handlerFile: 'issue-device-token',
    event: { method: 'POST', resource: '/devices/{deviceId}/token', pathParameters: { deviceId: DEVICE_ID } },
  },
  'GET /me': { handlerFile: 'get-profile', event: { method: 'GET', resource: '/me' } },
  'GET /admin/devices/count': {
    handlerFile: 'count-devices',
    event: { method: 'GET', resource: '/admin/devices/count', authorizer: adminContext() },
  },
};

const ROUTES_WITH_BODY = ['POST /devices', 'PATCH /devices/{deviceId}'];
const ROUTES_WITHOUT_TABLE = ['GET /me'];

/** Loads the handler modules as Lambda does, with their configuration in the environment. */
async function loadHandlers(): Promise<Map<string, HttpHandler>> {
  const saved = process.env.API_TABLE_NAME;
  process.env.API_TABLE_NAME = TABLE_NAME;
  try {
    const handlers = new Map<string, HttpHandler>();
    for (const [name, route] of Object.entries(ROUTES)) {
      const module = (await import(`../../../src/handlers/${route.handlerFile}`)) as { handler: HttpHandler };
      handlers.set(name, module.handler);
    }
    return handlers;
  } finally {
    if (saved === undefined) delete process.env.API_TABLE_NAME;
    else process.env.API_TABLE_NAME = saved;
  }
}

function errorOf(result: APIGatewayProxyResult): { code: string; message: string; details?: unknown } {
  return JSON.parse(result.body).error;
}

describe('routes', () => {
  const table = mockClientsInEachTest({ documentClient });
  // The metrics the handlers flush, read by the tests; their log lines stay off the terminal.
  const logs = captureLogsInEachTest();
  let handlers = new Map<string, HttpHandler>();

  before(async () => {
    handlers = await loadHandlers();
  });

  function invoke(name: string, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const handler = handlers.get(name);
    if (handler === undefined) throw new Error(`no handler loaded for ${name}`);
    return handler(event, lambdaContext());
  }

  const sent = () => commandsSent(table.documentClient);

  for (const [name, route] of Object.entries(ROUTES)) {
    describe(name, () => {
      it('answers 401 when the request carries no authorizer context, without reading the table', async () => {
        const event = routeEvent({ ...route.event, authorizer: null });

        const result = await invoke(name, event);

        expect(result.statusCode).to.equal(401);
        expect(errorOf(result).code).to.equal('UNAUTHORIZED');
        expect(sent()).to.deep.equal([]);
      });

      it("answers 401 to a device authorizer's context, which names no person", async () => {
        const event = routeEvent({
          ...route.event,
          authorizer: { deviceId: DEVICE_ID, ownerId: GRACE.userId },
        });

        const result = await invoke(name, event);

        expect(result.statusCode).to.equal(401);
        expect(sent()).to.deep.equal([]);
      });

      if (ROUTES_WITHOUT_TABLE.includes(name)) return;

      it('answers a table failure with a generic 500, and counts it for the canary alarm', async () => {
        table.documentClient.rejects(
          Object.assign(new Error('arn:aws:dynamodb:us-east-1:123456789012:table/api-table is busy'), {
            name: 'InternalServerError',
          }),
        );

        const result = await invoke(name, routeEvent(route.event));

        expect(result.statusCode).to.equal(500);
        expect(result.body).to.equal('{"error":{"code":"INTERNAL","message":"Internal server error"}}');
        expect(logs.metrics().map((metric) => metric.UnexpectedErrors)).to.include(1);
      });
    });
  }

  for (const name of ROUTES_WITH_BODY) {
    const route = ROUTES[name] as Route;

    describe(`${name} body`, () => {
      for (const [description, body] of [
        ['no body', undefined],
        ['malformed JSON', '{"thresholdC": 2'],
        ['JSON that is not an object', '"twenty"'],
      ] as const) {
        it(`answers 400 to ${description}, without writing`, async () => {
          const result = await invoke(name, routeEvent({ ...route.event, body }));

          expect(result.statusCode).to.equal(400);
          expect(errorOf(result).code).to.equal('VALIDATION_FAILED');
          expect(sent()).to.deep.equal([]);
        });
      }

      it('answers 400 to an unknown field, naming it, without writing', async () => {
        const body = { ...(route.event.body as object), ownerId: GRACE.userId };

        const result = await invoke(name, routeEvent({ ...route.event, body }));

        expect(result.statusCode).to.equal(400);
        expect(errorOf(result).details).to.deep.equal([{ path: 'ownerId', message: 'Unknown field' }]);
        expect(sent()).to.deep.equal([]);
      });

      it('answers 413 to a body over 64 KiB, without writing', async () => {
        const body = JSON.stringify({
          ...(route.event.body as object),
          padding: 'x'.repeat(DEFAULT_MAX_BODY_BYTES),
        });

        const result = await invoke(name, routeEvent({ ...route.event, body }));

        expect(result.statusCode).to.equal(413);
        expect(errorOf(result).code).to.equal('PAYLOAD_TOO_LARGE');
        expect(sent()).to.deep.equal([]);
      });
    });
  }

  for (const name of Object.keys(ROUTES).filter((route) => route.includes('{deviceId}'))) {
    const route = ROUTES[name] as Route;

    it(`${name} answers 400 to a device id outside the identifier alphabet`, async () => {
      const event = routeEvent({ ...route.event, pathParameters: { deviceId: 'a*b' } });

      const result = await invoke(name, event);

      expect(result.statusCode).to.equal(400);
      expect(sent()).to.deep.equal([]);
    });
  }

  describe('answers', () => {
    const ITEM = {
      pk: `owner#${peopleContext().userId}`,
      sk: `device#${DEVICE_ID}`,
      deviceId: DEVICE_ID,
      ownerId: peopleContext().userId,
      name: 'Living room',
      location: 'Ground floor',
      thresholdC: 28,
      createdAt: '2025-03-01T12:00:00.000Z',
      updatedAt: '2025-03-01T12:00:00.000Z',
    };
    const { pk: _pk, sk: _sk, ...DEVICE } = ITEM;
    const conditionFailed = () =>
      Object.assign(new Error('The conditional request failed'), {
        name: 'TransactionCanceledException',
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      });

    function call(name: string, overrides: RouteEventOptions = {}) {
      const route = ROUTES[name] as Route;
      return invoke(name, routeEvent({ ...route.event, ...overrides }));
    }

    it("POST /devices: 201 with the new device, owned by the authorizer's user", async () => {
      const result = await call('POST /devices');

      expect(result.statusCode).to.equal(201);
      const device = JSON.parse(result.body);
      expect(device).to.include({ name: 'Living room', ownerId: peopleContext().userId, thresholdC: 28 });
      expect(device.deviceId).to.match(/^[0-9a-f-]{36}$/);
      expect(sent().map((command) => command.name)).to.deep.equal(['PutCommand']);
    });

    it("GET /devices: 200 with the caller's devices", async () => {
      table.documentClient.resolves({ Items: [ITEM] });

      const result = await call('GET /devices');

      expect(result.statusCode).to.equal(200);
      expect(JSON.parse(result.body)).to.deep.equal({ devices: [DEVICE] });
      const [query] = table.documentClient.commandCalls(QueryCommand);
      expect(query?.args[0].input.ExpressionAttributeValues).to.deep.include({
        ':pk': `owner#${peopleContext().userId}`,
      });
    });

    it('GET /devices/{deviceId}: 200 with the device', async () => {
      table.documentClient.resolves({ Item: ITEM });

      const result = await call('GET /devices/{deviceId}');

      expect(result.statusCode).to.equal(200);
      expect(JSON.parse(result.body)).to.deep.equal(DEVICE);
    });

    it("GET /devices/{deviceId}: 404 for a device that is not under the caller's partition", async () => {
      table.documentClient.resolves({});

      const result = await call('GET /devices/{deviceId}', { authorizer: peopleContext(GRACE) });

      expect(result.statusCode).to.equal(404);
      expect(errorOf(result)).to.deep.equal({ code: 'NOT_FOUND', message: `Device ${DEVICE_ID} not found` });
      expect(sent()[0]?.input).to.deep.include({
        Key: { pk: `owner#${GRACE.userId}`, sk: `device#${DEVICE_ID}` },
      });
    });

    it('PATCH /devices/{deviceId}: 200 with the updated device', async () => {
      table.documentClient.resolves({ Attributes: { ...ITEM, thresholdC: 21 } });

      const result = await call('PATCH /devices/{deviceId}');

      expect(result.statusCode).to.equal(200);
      expect(JSON.parse(result.body)).to.deep.equal({ ...DEVICE, thresholdC: 21 });
    });

    it('PATCH /devices/{deviceId}: 404 for a device the caller does not have', async () => {
      table.documentClient.rejects(
        Object.assign(new Error('The conditional request failed'), {
          name: 'ConditionalCheckFailedException',
        }),
      );

      expect((await call('PATCH /devices/{deviceId}')).statusCode).to.equal(404);
    });

    it('DELETE /devices/{deviceId}: 204 with no body', async () => {
      const result = await call('DELETE /devices/{deviceId}');

      expect(result.statusCode).to.equal(204);
      expect(result.body).to.equal('');
      expect(sent().map((command) => command.name)).to.deep.equal(['TransactWriteCommand']);
    });

    it('DELETE /devices/{deviceId}: 404 for a device the caller does not have', async () => {
      table.documentClient.rejects(conditionFailed());

      expect((await call('DELETE /devices/{deviceId}')).statusCode).to.equal(404);
    });

    it('POST /devices/{deviceId}/token: 201 with the token once, never cached', async () => {
      const result = await call('POST /devices/{deviceId}/token');

      expect(result.statusCode).to.equal(201);
      const issued = JSON.parse(result.body);
      expect(issued).to.have.all.keys('deviceId', 'token');
      expect(issued.token).to.match(new RegExp(`^${DEVICE_ID}\\.[A-Za-z0-9_-]{43}$`));
      expect(result.headers).to.include({ 'cache-control': 'no-store' });
    });

    it('POST /devices/{deviceId}/token: 404 for a device the caller does not have', async () => {
      table.documentClient.rejects(conditionFailed());

      const result = await call('POST /devices/{deviceId}/token');

      expect(result.statusCode).to.equal(404);
      expect(result.body).to.not.contain('token"');
    });

    it("GET /me: 200 with the caller's profile, from the authorizer context", async () => {
      const result = await call('GET /me', { authorizer: peopleContext(GRACE, ['admins', 'editors']) });

      expect(result.statusCode).to.equal(200);
      expect(JSON.parse(result.body)).to.deep.equal({
        ...GRACE,
        groups: ['admins', 'editors'],
        isAdmin: true,
      });
    });

    it('GET /admin/devices/count: 200 with the count, whatever group the admin authorizer let in', async () => {
      table.documentClient.resolves({ Count: 7 });

      const result = await call('GET /admin/devices/count', { authorizer: adminContext(GRACE, false) });

      expect(result.statusCode).to.equal(200);
      expect(JSON.parse(result.body)).to.deep.equal({ count: 7 });
    });
  });
});
