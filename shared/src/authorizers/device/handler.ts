import { authorizerHandler } from '../authorizer-handler';
import { createDeviceAuthorizer } from './authorizer';
import { readDeviceConfig } from './config';
import { createDeviceTokenTable } from './token-table';

export const handler = authorizerHandler(
  createDeviceAuthorizer({ store: createDeviceTokenTable(readDeviceConfig()) }),
);
