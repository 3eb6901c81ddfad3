import { randomBytes } from 'node:crypto';
import { parseDeviceToken, verifyDeviceSecret } from '@serverless-patterns/shared/authorizers/device/tokens';
import { NotFoundError, ValidationError } from '@serverless-patterns/shared/errors';
import { deviceSchema } from '@serverless-patterns/shared/schemas/api';
import { expect } from 'chai';
import fc from 'fast-check';
import { createDeviceService } from '../../../src/core/devices';
import { ADA, GRACE } from '../factories';
import { createInMemoryTable } from '../fakes';

const REGISTRATION = { name: 'Living room', location: 'Ground floor', thresholdC: 28 };

function setUp() {
  const table = createInMemoryTable();
  let now = new Date('2025-03-01T12:00:00.000Z');
  let ids = 0;
  const service = createDeviceService({
    devices: table.devices,
    tokens: table.tokens,
    clock: () => now,
    newId: () => `device-${++ids}`,
    random: (size) => randomBytes(size),
  });
  return {
    service,
    table,
    advanceClock: (ms: number) => {
      now = new Date(now.getTime() + ms);
    },
  };
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

describe('device service', () => {
  describe('register', () => {
    it('registers a device for the caller, with a new id and timestamps', async () => {
      const { service } = setUp();

      const device = await service.register(ADA.userId, REGISTRATION);

      expect(device).to.deep.equal({
        ...REGISTRATION,
        deviceId: 'device-1',
        ownerId: ADA.userId,
        createdAt: '2025-03-01T12:00:00.000Z',
        updatedAt: '2025-03-01T12:00:00.000Z',
      });
      expect(deviceSchema.safeParse(device).success).to.equal(true);
      expect(await service.get(ADA.userId, 'device-1')).to.deep.equal(device);
    });

    it('trims the name and location it stores', async () => {
      const { service } = setUp();

      const device = await service.register(ADA.userId, { ...REGISTRATION, name: '  Attic  ' });

      expect(device.name).to.equal('Attic');
    });

    it('refuses an unknown field, naming it', async () => {
      const { service, table } = setUp();

      const error = await rejectionOf(
        service.register(ADA.userId, { ...REGISTRATION, ownerId: GRACE.userId }),
      );

      expect(error).to.be.instanceOf(ValidationError);
      expect((error as ValidationError).details).to.deep.equal([
        { path: 'ownerId', message: 'Unknown field' },
      ]);
      expect(await table.devices.countAll()).to.equal(0);
    });

    it('refuses a registration without a threshold', async () => {
      const { service } = setUp();
      const { thresholdC: _, ...withoutThreshold } = REGISTRATION;

      const error = await rejectionOf(service.register(ADA.userId, withoutThreshold));

      expect(error).to.be.instanceOf(ValidationError);
      expect((error as ValidationError).details.map((issue) => issue.path)).to.deep.equal(['thresholdC']);
    });
  });

  describe('list', () => {
    it("lists only the caller's devices", async () => {
      const { service } = setUp();
      const mine = await service.register(ADA.userId, REGISTRATION);
      await service.register(GRACE.userId, { ...REGISTRATION, name: "Grace's" });

      expect(await service.list(ADA.userId)).to.deep.equal([mine]);
    });

    it('lists nothing for a caller without devices', async () => {
      const { service } = setUp();
      await service.register(GRACE.userId, REGISTRATION);

      expect(await service.list(ADA.userId)).to.deep.equal([]);
    });
  });

  describe('get', () => {
    it("does not find another user's device", async () => {
      const { service } = setUp();
      const { deviceId } = await service.register(GRACE.userId, REGISTRATION);

      const error = await rejectionOf(service.get(ADA.userId, deviceId));

      expect(error).to.be.instanceOf(NotFoundError);
      expect((error as NotFoundError).message).to.equal(`Device ${deviceId} not found`);
    });

    for (const [description, deviceId] of [
      ['missing', undefined],
      ['empty', ''],
      ['with a slash', 'a/b'],
      ['of 129 characters', 'x'.repeat(129)],
      ['not a string', 42],
    ] as const) {
      it(`refuses a device id ${description} as invalid`, async () => {
        const { service } = setUp();

        expect(await rejectionOf(service.get(ADA.userId, deviceId))).to.be.instanceOf(ValidationError);
      });
    }
  });

  describe('updateThreshold', () => {
    it('changes the threshold and the update time, and nothing else', async () => {
      const { service, advanceClock } = setUp();
      const device = await service.register(ADA.userId, REGISTRATION);
      advanceClock(60_000);

      const updated = await service.updateThreshold(ADA.userId, device.deviceId, { thresholdC: 21.5 });

      expect(updated).to.deep.equal({ ...device, thresholdC: 21.5, updatedAt: '2025-03-01T12:01:00.000Z' });
      expect(await service.get(ADA.userId, device.deviceId)).to.deep.equal(updated);
    });

    for (const [description, body] of [
      ['below -40 °C', { thresholdC: -41 }],
      ['above 80 °C', { thresholdC: 80.5 }],
      ['not a number', { thresholdC: '25' }],
      ['missing', {}],
      ['next to another field', { thresholdC: 25, name: 'Renamed' }],
      ['not an object', [25]],
    ] as const) {
      it(`refuses a threshold ${description} and keeps the device as it was`, async () => {
        const { service } = setUp();
        const device = await service.register(ADA.userId, REGISTRATION);

        const error = await rejectionOf(service.updateThreshold(ADA.userId, device.deviceId, body));

        expect(error).to.be.instanceOf(ValidationError);
        expect(await service.get(ADA.userId, device.deviceId)).to.deep.equal(device);
      });
    }

    it("does not change another user's device", async () => {
      const { service } = setUp();
      const device = await service.register(GRACE.userId, REGISTRATION);

      const error = await rejectionOf(
        service.updateThreshold(ADA.userId, device.deviceId, { thresholdC: 5 }),
      );

      expect(error).to.be.instanceOf(NotFoundError);
      expect(await service.get(GRACE.userId, device.deviceId)).to.deep.equal(device);
    });
  });

  describe('remove', () => {
    it('removes the device and its token', async () => {
      const { service, table } = setUp();
      const { deviceId } = await service.register(ADA.userId, REGISTRATION);
      await service.issueToken(ADA.userId, deviceId);

      await service.remove(ADA.userId, deviceId);

      expect(await rejectionOf(service.get(ADA.userId, deviceId))).to.be.instanceOf(NotFoundError);
      expect(table.tokensByDevice.has(deviceId)).to.equal(false);
    });

    it("does not remove another user's device, nor its token", async () => {
      const { service, table } = setUp();
      const { deviceId } = await service.register(GRACE.userId, REGISTRATION);
      await service.issueToken(GRACE.userId, deviceId);

      const error = await rejectionOf(service.remove(ADA.userId, deviceId));

      expect(error).to.be.instanceOf(NotFoundError);
      expect(await service.get(GRACE.userId, deviceId)).to.include({ deviceId });
      expect(table.tokensByDevice.has(deviceId)).to.equal(true);
    });

    it('reports a device removed twice as not found the second time', async () => {
      const { service } = setUp();
      const { deviceId } = await service.register(ADA.userId, REGISTRATION);
      await service.remove(ADA.userId, deviceId);

      expect(await rejectionOf(service.remove(ADA.userId, deviceId))).to.be.instanceOf(NotFoundError);
    });
  });

  describe('issueToken', () => {
    it('returns a token for the device and stores only a hash that verifies it', async () => {
      const { service, table } = setUp();
      const { deviceId } = await service.register(ADA.userId, REGISTRATION);

      const issued = await service.issueToken(ADA.userId, deviceId);

      expect(issued.deviceId).to.equal(deviceId);
      const parsed = parseDeviceToken(issued.token);
      expect(parsed?.deviceId).to.equal(deviceId);
      const stored = table.tokensByDevice.get(deviceId);
      expect(stored).to.include({ ownerId: ADA.userId, createdAt: '2025-03-01T12:00:00.000Z' });
      expect(stored?.secretHash).to.not.contain(parsed?.secret ?? '');
      expect(verifyDeviceSecret(parsed?.secret ?? '', stored?.secretHash ?? '')).to.equal(true);
    });

    it('rotates: the new token replaces the hash, so the old token stops working', async () => {
      const { service, table, advanceClock } = setUp();
      const { deviceId } = await service.register(ADA.userId, REGISTRATION);
      const first = parseDeviceToken((await service.issueToken(ADA.userId, deviceId)).token);
      advanceClock(3_600_000);

      const second = parseDeviceToken((await service.issueToken(ADA.userId, deviceId)).token);

      const stored = table.tokensByDevice.get(deviceId);
      expect(second?.secret).to.not.equal(first?.secret);
      expect(verifyDeviceSecret(first?.secret ?? '', stored?.secretHash ?? '')).to.equal(false);
      expect(verifyDeviceSecret(second?.secret ?? '', stored?.secretHash ?? '')).to.equal(true);
      expect(stored).to.include({
        createdAt: '2025-03-01T12:00:00.000Z',
        rotatedAt: '2025-03-01T13:00:00.000Z',
      });
    });

    it("issues no token for another user's device", async () => {
      const { service, table } = setUp();
      const { deviceId } = await service.register(GRACE.userId, REGISTRATION);

      const error = await rejectionOf(service.issueToken(ADA.userId, deviceId));

      expect(error).to.be.instanceOf(NotFoundError);
      expect(table.tokensByDevice.has(deviceId)).to.equal(false);
    });

    it("does not replace the token of another user's device", async () => {
      const { service, table } = setUp();
      const { deviceId } = await service.register(GRACE.userId, REGISTRATION);
      await service.issueToken(GRACE.userId, deviceId);
      const before = table.tokensByDevice.get(deviceId);

      await rejectionOf(service.issueToken(ADA.userId, deviceId));

      expect(table.tokensByDevice.get(deviceId)).to.deep.equal(before);
    });
  });

  describe('countAll', () => {
    it('counts the devices of every owner', async () => {
      const { service } = setUp();
      await service.register(ADA.userId, REGISTRATION);
      await service.register(ADA.userId, REGISTRATION);
      await service.register(GRACE.userId, REGISTRATION);

      expect(await service.countAll()).to.equal(3);
    });
  });

  describe('validation, for any body', () => {
    // Bodies near the valid shape find more paths through the schema than arbitrary values alone.
    const fieldValue = fc.oneof(fc.anything(), fc.string(), fc.double(), fc.integer({ min: -60, max: 120 }));
    const body = fc.oneof(
      fc.anything(),
      fc.record({ name: fieldValue, location: fieldValue, thresholdC: fieldValue }, { requiredKeys: [] }),
      fc
        .tuple(fc.constant(REGISTRATION), fc.dictionary(fc.string(), fc.anything()))
        .map(([registration, extra]) => ({ ...extra, ...registration })),
    );

    /** Either a ValidationError, or a device that is valid: what was let through was valid. */
    function onlyValidationErrors(operation: (body: unknown) => Promise<unknown>) {
      return fc.asyncProperty(body, async (candidate) => {
        let device: unknown;
        try {
          device = await operation(candidate);
        } catch (error) {
          expect(error).to.be.instanceOf(ValidationError);
          return;
        }
        expect(deviceSchema.safeParse(device).success, JSON.stringify(device)).to.equal(true);
      });
    }

    it('register never fails with anything but a ValidationError', async () => {
      const { service } = setUp();

      await fc.assert(
        onlyValidationErrors((candidate) => service.register(ADA.userId, candidate)),
        { numRuns: 1000 },
      );
    });

    it('updateThreshold never fails with anything but a ValidationError', async () => {
      const { service } = setUp();
      const { deviceId } = await service.register(ADA.userId, REGISTRATION);

      await fc.assert(
        onlyValidationErrors((candidate) => service.updateThreshold(ADA.userId, deviceId, candidate)),
        { numRuns: 1000 },
      );
    });
  });
});
