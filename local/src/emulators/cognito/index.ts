import { defineEmulator } from '../emulator-definition';
import { startCognito } from './cognito-local';

/** Cognito user pools: cognito-local in a child process (real JWTs, JWKS). */
export const cognito = defineEmulator({
  name: 'cognito',
  endpointVariables: { cognito: 'COGNITO_IDENTITY_PROVIDER' },
  preferredPort: 9229,
  start: ({ port, dataDir, log }) => startCognito({ port, dataDir, log }),
});
