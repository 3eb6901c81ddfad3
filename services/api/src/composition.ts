import { randomBytes, randomUUID } from 'node:crypto';
import { createDevicesTable } from './adapters/devices-table';
import { config } from './config';
import { createDeviceService } from './core/devices';

// The service's parts, built from its config. Each handler calls what it uses once, at module scope,
// so that clients and adapters are made at cold start and reused by every invocation.

export function deviceService() {
  return createDeviceService({
    ...createDevicesTable({ tableName: config.apiTableName }),
    clock: () => new Date(),
    newId: () => randomUUID(),
    random: (size) => randomBytes(size),
  });
}
