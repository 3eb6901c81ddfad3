import { NotFoundError } from '@serverless-patterns/shared/errors';
import type { Alert, WindowAggregate } from '@serverless-patterns/shared/schemas/events';
import type { DeviceThreshold } from './device-thresholds';

const DEFAULT_RANGE_MS = 60 * 60 * 1000;

/** Window bounds as the aggregator's event gives them, so that ranges compare as strings: 2026-12-05T07:04:00Z. */
export function windowTime(time: number): string {
  return new Date(time).toISOString().replace('.000Z', 'Z');
}

/**
 * What the portal reads: a device's aggregates and its owner's alerts. A device is its owner's only: the
 * copy of api's devices says whose it is, and another person's device (or one deleted) is a 404, which
 * tells nothing of whether it exists.
 */
export function createTelemetryQueries({
  thresholds,
  aggregates,
  alerts,
  clock = () => new Date(),
}: {
  thresholds: { find(deviceId: string): Promise<DeviceThreshold | undefined> };
  aggregates: { between(deviceId: string, from: string, to: string): Promise<WindowAggregate[]> };
  alerts: { latestOf(ownerId: string): Promise<Alert[]> };
  clock?: () => Date;
}) {
  return {
    async aggregatesOf(
      callerId: string,
      deviceId: string,
      range: { from?: string | undefined; to?: string | undefined },
    ) {
      const device = await thresholds.find(deviceId);
      if (device === undefined || device.deleted || device.ownerId !== callerId) {
        throw new NotFoundError(`No device ${deviceId}`);
      }
      const to = range.to === undefined ? clock().getTime() : Date.parse(range.to);
      const from = range.from === undefined ? to - DEFAULT_RANGE_MS : Date.parse(range.from);
      return {
        deviceId,
        ...(device.thresholdC === undefined ? {} : { thresholdC: device.thresholdC }),
        aggregates: await aggregates.between(deviceId, windowTime(from), windowTime(to)),
      };
    },
    alertsOf: (callerId: string) => alerts.latestOf(callerId),
  };
}
