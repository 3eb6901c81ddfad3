import type { TelemetryReading } from '@serverless-patterns/shared/schemas/events';

/** A simulated thermostat: its id, its owner's threshold, and the room temperature it hovers around. */
export interface SimulatedDevice {
  deviceId: string;
  thresholdC: number;
  baseC: number;
}

/** One record for the stream: a device's reading as JSON, or a malformed one. */
export interface FleetRecord {
  deviceId: string;
  data: Buffer;
  malformed: boolean;
}

// Kinds of malformed readings a fleet really sends: cut-off JSON, a sensor fault's impossible value,
// a firmware that names a field differently.
const MALFORMED = [
  (reading: TelemetryReading) => JSON.stringify(reading).slice(0, 20),
  (reading: TelemetryReading) => JSON.stringify({ ...reading, temperatureC: 999 }),
  (reading: TelemetryReading) =>
    JSON.stringify({ ...reading, temp: reading.temperatureC, temperatureC: undefined }),
];

/**
 * Noisy readings from a fleet, round robin over its devices: each reading is its device's base
 * temperature plus noise (±1.5 °C), with a reading id unique per device, and a share `malformedRatio`
 * of them malformed.
 */
export function createFleetReadings({
  devices,
  malformedRatio,
  runId,
  random = Math.random,
  clock = () => new Date(),
}: {
  devices: readonly SimulatedDevice[];
  malformedRatio: number;
  /** Makes reading ids unique across runs: a second run in the same minute is not taken for a resend. */
  runId: string;
  random?: () => number;
  clock?: () => Date;
}) {
  if (devices.length === 0) throw new Error('a fleet needs at least one device');
  let next = 0;
  const sequence = new Map<string, number>();
  const stats = { readings: 0, malformed: 0 };
  return {
    stats,
    next(): FleetRecord {
      const device = devices[next] as SimulatedDevice;
      next = (next + 1) % devices.length;
      const count = (sequence.get(device.deviceId) ?? 0) + 1;
      sequence.set(device.deviceId, count);
      const reading: TelemetryReading = {
        deviceId: device.deviceId,
        readingId: `${runId}-${count.toString(36)}`,
        temperatureC: Math.round((device.baseC + (random() - 0.5) * 3) * 100) / 100,
        humidity: Math.round(35 + random() * 20),
        recordedAt: clock().toISOString(),
      };
      stats.readings += 1;
      if (random() < malformedRatio) {
        stats.malformed += 1;
        const malform = MALFORMED[Math.floor(random() * MALFORMED.length)] ?? MALFORMED[0];
        return { deviceId: device.deviceId, data: Buffer.from(malform?.(reading) ?? '{'), malformed: true };
      }
      return { deviceId: device.deviceId, data: Buffer.from(JSON.stringify(reading)), malformed: false };
    },
  };
}

/** A fleet where `hotRatio` of the devices run above their owner's threshold. */
export function simulatedDevices(
  deviceIds: readonly string[],
  hotRatio: number,
  random = Math.random,
): SimulatedDevice[] {
  return deviceIds.map((deviceId, index) => {
    const thresholdC = 24;
    const hot = index < Math.round(deviceIds.length * hotRatio);
    return { deviceId, thresholdC, baseC: hot ? thresholdC + 3 + random() : 19 + random() * 3 };
  });
}
