import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import {
  type AuthorizerContext,
  type MethodArn,
  parseMethodArn,
  policy,
  routeArn,
  unauthorized,
} from '../policy';
import { parseDeviceToken, verifyDeviceSecret } from './tokens';

/** What the store keeps for a device: never the secret, only its salted hash. */
export interface StoredDeviceToken {
  ownerId: string;
  /** `sha256$<salt>$<digest>`, from hashDeviceSecret. */
  secretHash: string;
  revoked?: boolean;
}

export interface DeviceTokenLookup {
  find(deviceId: string): Promise<StoredDeviceToken | undefined>;
}

/** The context the device authorizer hands to the integration (read it back with deviceFrom). */
export interface DeviceContext extends AuthorizerContext {
  deviceId: string;
  ownerId: string;
}

export interface DeviceAuthorizerDeps {
  store: DeviceTokenLookup;
}

/** A device token that is malformed, unknown, revoked or has the wrong secret. */
export class InvalidDeviceTokenError extends Error {
  override readonly name = 'InvalidDeviceTokenError';
}

/** The one route a device token opens: the device's own telemetry. */
export function deviceTelemetryRoute(deviceId: string): { method: 'POST'; path: string } {
  return { method: 'POST', path: `/telemetry/${deviceId}` };
}

/**
 * TOKEN authorizer for thermostats (header x-device-token). An unknown, revoked, malformed or wrong token
 * is a 401. A good one gets an Allow for its own telemetry route only, whatever route was called: API
 * Gateway answers 403 when that policy does not cover the request, so a token presented on another
 * device's route is refused, including from the authorizer cache (keyed on the token). A revocation
 * therefore takes effect once the cached policy expires (resultTtlInSeconds).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html
 */
export function createDeviceAuthorizer({ store }: DeviceAuthorizerDeps) {
  return async (event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    const methodArn = parseMethodArn(event.methodArn);
    const parsed = parseDeviceToken(event.authorizationToken ?? '');
    if (!parsed) throw unauthorized(new InvalidDeviceTokenError('malformed device token'));
    const { deviceId, secret } = parsed;
    const record = await store.find(deviceId);
    if (!record) throw unauthorized(new InvalidDeviceTokenError(`no token for device ${deviceId}`));
    if (record.revoked) {
      throw unauthorized(new InvalidDeviceTokenError(`token of device ${deviceId} is revoked`));
    }
    if (!verifyDeviceSecret(secret, record.secretHash)) {
      throw unauthorized(new InvalidDeviceTokenError(`wrong secret for device ${deviceId}`));
    }
    const context: DeviceContext = { deviceId, ownerId: record.ownerId };
    return policy('Allow', deviceId, deviceTelemetryArn(methodArn, deviceId), context);
  };
}

export function deviceTelemetryArn(methodArn: MethodArn, deviceId: string): string {
  const { method, path } = deviceTelemetryRoute(deviceId);
  return routeArn(methodArn, method, path);
}
