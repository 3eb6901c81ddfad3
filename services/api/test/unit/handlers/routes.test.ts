import { DEFAULT_MAX_BODY_BYTES, type HttpHandler } from '@serverless-patterns/shared/http';
import { expect } from 'chai';
import { adminContext, createRouteEvent, GRACE, peopleContext, type RouteEventOptions } from '../factories';
import { createRouteHarness, errorOf, invoke } from './route-harness';

const DEVICE_ID = '5b0e7c1a-3f0d-4c0b-9a51-2f7d9d3e8c11';

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

describe('routes', () => {
  const harness = createRouteHarness();
  const handlers = new Map<string, HttpHandler>();

  before(async () => {
    for (const [name, route] of Object.entries(ROUTES))
      handlers.set(name, await harness.load(route.handlerFile));
  });
  beforeEach(() => harness.reset());
  after(() => harness.restore());

  function handlerOf(name: string): HttpHandler {
    const handler = handlers.get(name);
    if (handler === undefined) throw new Error(`no handler loaded for ${name}`);
    return handler;
  }

  for (const [name, route] of Object.entries(ROUTES)) {
    describe(name, () => {
      it('answers 401 when the request carries no authorizer context, without reading the table', async () => {
        const event = createRouteEvent({ ...route.event, authorizer: null });

        const { result } = await invoke(handlerOf(name), event);

        expect(result.statusCode).to.equal(401);
        expect(errorOf(result).code).to.equal('UNAUTHORIZED');
        expect(harness.sent).to.deep.equal([]);
      });

      it("answers 401 to a device authorizer's context, which names no person", async () => {
        const event = createRouteEvent({
          ...route.event,
          authorizer: { deviceId: DEVICE_ID, ownerId: GRACE.userId },
        });

        const { result } = await invoke(handlerOf(name), event);

        expect(result.statusCode).to.equal(401);
        expect(harness.sent).to.deep.equal([]);
      });

      if (ROUTES_WITHOUT_TABLE.includes(name)) return;

      it('answers a table failure with a generic 500, and counts it for the canary alarm', async () => {
        harness.respondWith(() => {
          throw Object.assign(new Error('arn:aws:dynamodb:us-east-1:123456789012:table/api-table is busy'), {
            name: 'InternalServerError',
          });
        });

        const { result, output } = await invoke(handlerOf(name), createRouteEvent(route.event));

        expect(result.statusCode).to.equal(500);
        expect(result.body).to.equal('{"error":{"code":"INTERNAL","message":"Internal server error"}}');
        expect(output).to.contain('"UnexpectedErrors"');
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
          const { result } = await invoke(handlerOf(name), createRouteEvent({ ...route.event, body }));

          expect(result.statusCode).to.equal(400);
          expect(errorOf(result).code).to.equal('VALIDATION_FAILED');
          expect(harness.sent).to.deep.equal([]);
        });
      }

      it('answers 400 to an unknown field, naming it, without writing', async () => {
        const body = { ...(route.event.body as object), ownerId: GRACE.userId };

        const { result } = await invoke(handlerOf(name), createRouteEvent({ ...route.event, body }));

        expect(result.statusCode).to.equal(400);
        expect(errorOf(result).details).to.deep.equal([{ path: 'ownerId', message: 'Unknown field' }]);
        expect(harness.sent).to.deep.equal([]);
      });

      it('answers 413 to a body over 64 KiB, without writing', async () => {
        const body = JSON.stringify({
          ...(route.event.body as object),
          padding: 'x'.repeat(DEFAULT_MAX_BODY_BYTES),
        });

        const { result } = await invoke(handlerOf(name), createRouteEvent({ ...route.event, body }));

        expect(result.statusCode).to.equal(413);
        expect(errorOf(result).code).to.equal('PAYLOAD_TOO_LARGE');
        expect(harness.sent).to.deep.equal([]);
      });
    });
  }

  for (const name of Object.keys(ROUTES).filter((route) => route.includes('{deviceId}'))) {
    const route = ROUTES[name] as Route;

    it(`${name} answers 400 to a device id outside the identifier alphabet`, async () => {
      const event = createRouteEvent({ ...route.event, pathParameters: { deviceId: 'a*b' } });

      const { result } = await invoke(handlerOf(name), event);

      expect(result.statusCode).to.equal(400);
      expect(harness.sent).to.deep.equal([]);
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
    const conditionFailed = () => {
      throw Object.assign(new Error('The conditional request failed'), {
        name: 'TransactionCanceledException',
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      });
    };

    async function call(name: string, overrides: RouteEventOptions = {}) {
      const route = ROUTES[name] as Route;
      return (await invoke(handlerOf(name), createRouteEvent({ ...route.event, ...overrides }))).result;
    }

    it("POST /devices: 201 with the new device, owned by the authorizer's user", async () => {
      const result = await call('POST /devices');

      expect(result.statusCode).to.equal(201);
      const device = JSON.parse(result.body);
      expect(device).to.include({ name: 'Living room', ownerId: peopleContext().userId, thresholdC: 28 });
      expect(device.deviceId).to.match(/^[0-9a-f-]{36}$/);
      expect(harness.sent.map((command) => command.name)).to.deep.equal(['PutCommand']);
    });

    it("GET /devices: 200 with the caller's devices", async () => {
      harness.respondWith(() => ({ Items: [ITEM] }));

      const result = await call('GET /devices');

      expect(result.statusCode).to.equal(200);
      expect(JSON.parse(result.body)).to.deep.equal({ devices: [DEVICE] });
      expect(harness.sent[0]?.input.ExpressionAttributeValues).to.deep.include({
        ':pk': `owner#${peopleContext().userId}`,
      });
    });

    it('GET /devices/{deviceId}: 200 with the device', async () => {
      harness.respondWith(() => ({ Item: ITEM }));

      const result = await call('GET /devices/{deviceId}');

      expect(result.statusCode).to.equal(200);
      expect(JSON.parse(result.body)).to.deep.equal(DEVICE);
    });

    it("GET /devices/{deviceId}: 404 for a device that is not under the caller's partition", async () => {
      harness.respondWith(() => ({}));

      const result = await call('GET /devices/{deviceId}', { authorizer: peopleContext(GRACE) });

      expect(result.statusCode).to.equal(404);
      expect(errorOf(result)).to.deep.equal({ code: 'NOT_FOUND', message: `Device ${DEVICE_ID} not found` });
      expect(harness.sent[0]?.input.Key).to.deep.equal({
        pk: `owner#${GRACE.userId}`,
        sk: `device#${DEVICE_ID}`,
      });
    });

    it('PATCH /devices/{deviceId}: 200 with the updated device', async () => {
      harness.respondWith(() => ({ Attributes: { ...ITEM, thresholdC: 21 } }));

      const result = await call('PATCH /devices/{deviceId}');

      expect(result.statusCode).to.equal(200);
      expect(JSON.parse(result.body)).to.deep.equal({ ...DEVICE, thresholdC: 21 });
    });

    it('PATCH /devices/{deviceId}: 404 for a device the caller does not have', async () => {
      harness.respondWith(() => {
        throw Object.assign(new Error('The conditional request failed'), {
          name: 'ConditionalCheckFailedException',
        });
      });

      expect((await call('PATCH /devices/{deviceId}')).statusCode).to.equal(404);
    });

    it('DELETE /devices/{deviceId}: 204 with no body', async () => {
      const result = await call('DELETE /devices/{deviceId}');

      expect(result.statusCode).to.equal(204);
      expect(result.body).to.equal('');
      expect(harness.sent.map((command) => command.name)).to.deep.equal(['TransactWriteCommand']);
    });

    it('DELETE /devices/{deviceId}: 404 for a device the caller does not have', async () => {
      harness.respondWith(conditionFailed);

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
      harness.respondWith(conditionFailed);

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
      harness.respondWith(() => ({ Count: 7 }));

      const result = await call('GET /admin/devices/count', { authorizer: adminContext(GRACE, false) });

      expect(result.statusCode).to.equal(200);
      expect(JSON.parse(result.body)).to.deep.equal({ count: 7 });
    });
  });
});
