import { authorizerHandler } from './authorizer-handler';
import { readDeviceConfig } from './config';
import { createDeviceAuthorizer } from './device';
import { createDeviceTokenTable } from './device-token-table';

export const handler = authorizerHandler(
  createDeviceAuthorizer({ store: createDeviceTokenTable(readDeviceConfig()) }),
);
