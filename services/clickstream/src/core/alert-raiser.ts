import type { Alert, WindowAggregate } from '@serverless-patterns/shared/schemas/events';
import type { DeviceThreshold } from './device-thresholds';

export interface AlertStore {
  /** Records `alert` unless one with its key exists; returns whether the existing one was published. */
  recordOnce(alert: Alert): Promise<{ created: true } | { created: false; published: boolean; alert: Alert }>;
  markPublished(alert: Alert): Promise<void>;
}

export interface AlertNotifier {
  publish(alert: Alert): Promise<void>;
}

export type AlertOutcome = 'raised' | 'already-raised' | 'below-threshold' | 'unknown-device';

/** One alert per device and window: its id says which, so that every replay finds the same one. */
export function alertIdOf(deviceId: string, windowStart: string): string {
  return `${windowStart}.${deviceId}`;
}

/**
 * Compares a window's average with the owner's threshold and, above it, raises one alert: recorded
 * first (conditional on its id), then published, then marked published. A replay finds the alert and
 * publishes only if the earlier attempt stopped before publishing, so subscribers get it at least once
 * and the alerts table holds it exactly once.
 */
export function createAlertRaiser({
  thresholds,
  alerts,
  notifier,
  clock = () => new Date(),
}: {
  thresholds: { find(deviceId: string): Promise<DeviceThreshold | undefined> };
  alerts: AlertStore;
  notifier: AlertNotifier;
  clock?: () => Date;
}) {
  return {
    async consider(aggregate: WindowAggregate): Promise<AlertOutcome> {
      const device = await thresholds.find(aggregate.deviceId);
      if (device === undefined || device.deleted || device.thresholdC === undefined) return 'unknown-device';
      if (aggregate.average <= device.thresholdC) return 'below-threshold';
      const alert: Alert = {
        alertId: alertIdOf(aggregate.deviceId, aggregate.windowStart),
        deviceId: aggregate.deviceId,
        ownerId: device.ownerId,
        kind: 'ABOVE_THRESHOLD',
        thresholdC: device.thresholdC,
        average: aggregate.average,
        windowStart: aggregate.windowStart,
        windowEnd: aggregate.windowEnd,
        raisedAt: clock().toISOString(),
      };
      const recorded = await alerts.recordOnce(alert);
      if (!recorded.created && recorded.published) return 'already-raised';
      const raised = recorded.created ? alert : recorded.alert;
      await notifier.publish(raised);
      await alerts.markPublished(raised);
      return recorded.created ? 'raised' : 'already-raised';
    },
  };
}
