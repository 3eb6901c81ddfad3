import { defineEmulator } from '../emulator-definition';
import { startCognitoIdentity } from './cognito-identity-api';

/**
 * Cognito identity pools (Cognito Identity): login tokens verified against their issuer's JWKS (the
 * user pools of cognito-local), role mapping, temporary credentials that the front door resolves when
 * it checks a SigV4 signature, and OpenID tokens.
 */
export const cognitoIdentity = defineEmulator({
  name: 'cognito-identity',
  endpointVariables: { cognitoIdentity: 'COGNITO_IDENTITY' },
  preferredPort: 9231,
  start: ({ port, dataDir, region, log }) => startCognitoIdentity({ port, dataDir, region, log }),
});
