import { randomBytes, randomUUID } from 'node:crypto';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import { createDevicesTable } from './adapters/devices-table';
import { config } from './config';
import { createDeviceService } from './core/devices';

/** The device service every device route uses, built once per execution environment. */
export const deviceService = createDeviceService({
  ...createDevicesTable({ client: documentClient, tableName: config.apiTableName }),
  clock: () => new Date(),
  newId: () => randomUUID(),
  random: (size) => randomBytes(size),
});
