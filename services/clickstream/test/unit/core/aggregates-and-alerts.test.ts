import type { Alert } from '@serverless-patterns/shared/schemas/events';
import { expect } from 'chai';
import { type AggregateStore, createAggregateRecorder } from '../../../src/core/aggregate-recorder';
import { type AlertStore, createAlertRaiser } from '../../../src/core/alert-raiser';
import {
  createThresholdCopy,
  type DeviceThreshold,
  type ThresholdStore,
} from '../../../src/core/device-thresholds';
import type { AggregatePart, StoredAggregate } from '../../../src/core/telemetry-window';

const part = (partId: string, values: Partial<AggregatePart> = {}): AggregatePart => ({
  deviceId: 'dev-1',
  windowStart: '2026-12-05T07:00:00Z',
  windowEnd: '2026-12-05T07:01:00Z',
  partId,
  sum: 60,
  count: 3,
  min: 19,
  max: 21,
  ...values,
});

function memoryAggregates(): AggregateStore & {
  items: Map<string, { aggregate: StoredAggregate; version: number }>;
} {
  const items = new Map<string, { aggregate: StoredAggregate; version: number }>();
  return {
    items,
    async get(deviceId, windowStart) {
      return items.get(`${deviceId}/${windowStart}`);
    },
    async put(aggregate, expectedVersion) {
      const key = `${aggregate.deviceId}/${aggregate.windowStart}`;
      if (items.get(key)?.version !== expectedVersion) return 'conflict';
      items.set(key, { aggregate, version: (expectedVersion ?? 0) + 1 });
      return 'saved';
    },
  };
}

describe('aggregate recorder', () => {
  it('saves a window once: a replayed final invocation changes nothing', async () => {
    const store = memoryAggregates();
    const recorder = createAggregateRecorder({ store });

    expect(await recorder.record(part('r1+3'))).to.equal('saved');
    expect(await recorder.record(part('r1+3'))).to.equal('already-counted');

    expect([...store.items.values()]).to.deep.equal([
      {
        version: 1,
        aggregate: {
          deviceId: 'dev-1',
          windowStart: '2026-12-05T07:00:00Z',
          windowEnd: '2026-12-05T07:01:00Z',
          count: 3,
          sum: 60,
          min: 19,
          max: 21,
          average: 20,
          parts: ['r1+3'],
        },
      },
    ]);
  });

  it('writes a new window with one conditional write and no read', async () => {
    const store = memoryAggregates();
    const calls: string[] = [];
    const recorder = createAggregateRecorder({
      store: {
        get: (...args) => {
          calls.push('get');
          return store.get(...args);
        },
        put: (...args) => {
          calls.push('put');
          return store.put(...args);
        },
      },
    });

    await recorder.record(part('r1+3'));
    expect(calls).to.deep.equal(['put']);
    await recorder.record(part('r1+3'));
    expect(calls).to.deep.equal(['put', 'put', 'get']);
  });

  it('adds the parts of a window Lambda ended early', async () => {
    const store = memoryAggregates();
    const recorder = createAggregateRecorder({ store });

    await recorder.record(part('r1+3'));
    await recorder.record(part('r9+1', { sum: 30, count: 1, min: 30, max: 30 }));

    expect([...store.items.values()][0]?.aggregate).to.include({
      count: 4,
      sum: 90,
      min: 19,
      max: 30,
      average: 22.5,
    });
  });
});

function memoryThresholds(): ThresholdStore {
  const items = new Map<string, DeviceThreshold>();
  return {
    async putIfNewer(entry) {
      const kept = items.get(entry.deviceId);
      if (kept !== undefined && kept.occurredAt >= entry.occurredAt) return 'stale';
      items.set(entry.deviceId, entry);
      return 'applied';
    },
    async find(deviceId) {
      return items.get(deviceId);
    },
  };
}

function memoryAlerts(): AlertStore & { items: Map<string, Alert & { published: boolean }> } {
  const items = new Map<string, Alert & { published: boolean }>();
  return {
    items,
    async recordOnce(alert) {
      const kept = items.get(alert.alertId);
      if (kept !== undefined) {
        const { published, ...existing } = kept;
        return { created: false, published, alert: existing };
      }
      items.set(alert.alertId, { ...alert, published: false });
      return { created: true };
    },
    async markPublished(alert) {
      const kept = items.get(alert.alertId);
      if (kept) kept.published = true;
    },
  };
}

const aggregate = (average: number, windowStart = '2026-12-05T07:00:00Z') => ({
  deviceId: 'dev-1',
  windowStart,
  windowEnd: '2026-12-05T07:01:00Z',
  count: 3,
  sum: average * 3,
  min: average - 1,
  max: average + 1,
  average,
});

describe('alert raiser and the thresholds copy', () => {
  const at = (occurredAt: string) => ({ deviceId: 'dev-1', ownerId: 'owner-1', occurredAt });

  async function prepared() {
    const thresholds = createThresholdCopy({ store: memoryThresholds() });
    const alerts = memoryAlerts();
    const published: Alert[] = [];
    const raiser = createAlertRaiser({
      thresholds,
      alerts,
      notifier: { publish: async (alert) => void published.push(alert) },
      clock: () => new Date('2026-12-05T07:01:02Z'),
    });
    await thresholds.apply({
      type: 'DeviceRegistered',
      detail: { ...at('2026-12-05T06:00:00Z'), thresholdC: 25 },
    });
    return { thresholds, alerts, published, raiser };
  }

  it('raises one alert per device and window above the threshold, replays included', async () => {
    const { raiser, alerts, published } = await prepared();

    expect(await raiser.consider(aggregate(26))).to.equal('raised');
    expect(await raiser.consider(aggregate(26))).to.equal('already-raised');
    expect(await raiser.consider(aggregate(24, '2026-12-05T07:01:00Z'))).to.equal('below-threshold');

    expect(published.map((alert) => alert.alertId)).to.deep.equal(['2026-12-05T07:00:00Z.dev-1']);
    expect([...alerts.items.values()].map((alert) => alert.published)).to.deep.equal([true]);
  });

  it('publishes on a replay an alert recorded by an attempt that stopped before publishing', async () => {
    const { raiser, alerts, published } = await prepared();
    const failing = createAlertRaiser({
      thresholds: { find: async () => ({ ...at('x'), thresholdC: 25, deleted: false }) },
      alerts,
      notifier: {
        publish: async () => {
          throw new Error('SNS down');
        },
      },
    });
    await failing.consider(aggregate(26)).catch(() => undefined);

    expect(await raiser.consider(aggregate(26))).to.equal('already-raised');
    expect(published).to.have.length(1);
  });

  it('applies a late or replayed device event not over a newer one; a deleted device raises nothing', async () => {
    const { thresholds, raiser } = await prepared();

    await thresholds.apply({
      type: 'ThresholdChanged',
      detail: { ...at('2026-12-05T06:30:00Z'), thresholdC: 30 },
    });
    const late = await thresholds.apply({
      type: 'ThresholdChanged',
      detail: { ...at('2026-12-05T06:10:00Z'), thresholdC: 10 },
    });
    expect(late).to.equal('stale');
    expect(await raiser.consider(aggregate(26))).to.equal('below-threshold');

    await thresholds.apply({ type: 'DeviceDeleted', detail: at('2026-12-05T06:40:00Z') });
    expect(await raiser.consider(aggregate(40))).to.equal('unknown-device');
  });
});
