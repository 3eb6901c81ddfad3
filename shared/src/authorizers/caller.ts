import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ForbiddenError, UnauthorizedError } from '../errors';
import { DEFAULT_ADMIN_GROUP } from './admin/access';

// Handlers behind the people, admin and device authorizers read who is calling from the context their
// authorizer set, never from headers or claims of their own: API Gateway forwards that context only
// after the authorizer allowed the request. It arrives as strings (booleans as 'true' / 'false').
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html

export interface Caller {
  userId: string;
  /** '' when the token carried none (access tokens). */
  email: string;
  groups: string[];
  isAdmin: boolean;
}

export interface DeviceCaller {
  deviceId: string;
  ownerId: string;
}

type AuthorizerContextEvent = Pick<APIGatewayProxyEvent, 'requestContext'>;

/**
 * The person a people or admin authorizer let in. isAdmin is the admin authorizer's decision when it
 * set one, otherwise membership of `adminGroup` (default 'admins') in the verified groups.
 */
export function callerFrom(event: AuthorizerContextEvent, options: { adminGroup?: string } = {}): Caller {
  const context = authorizerContext(event);
  const userId = context.userId;
  if (typeof userId !== 'string' || userId === '') throw missing('a signed-in person');
  const groups = typeof context.groups === 'string' && context.groups !== '' ? context.groups.split(',') : [];
  const isAdmin =
    context.isAdmin === undefined
      ? groups.includes(options.adminGroup ?? DEFAULT_ADMIN_GROUP)
      : context.isAdmin === true || context.isAdmin === 'true';
  return { userId, email: typeof context.email === 'string' ? context.email : '', groups, isAdmin };
}

/** The thermostat a device authorizer let in. */
export function deviceFrom(event: AuthorizerContextEvent): DeviceCaller {
  const { deviceId, ownerId } = authorizerContext(event);
  if (typeof deviceId !== 'string' || deviceId === '' || typeof ownerId !== 'string' || ownerId === '') {
    throw missing('a device');
  }
  return { deviceId, ownerId };
}

/**
 * deviceFrom, and a 403 unless the token's device is `deviceId` (the route's own path parameter). The
 * device authorizer's policy already limits a token to its own route in AWS; this second check keeps a
 * token on its own device wherever the policy is not enforced route by route.
 */
export function ownDeviceFrom(event: AuthorizerContextEvent, deviceId: string): DeviceCaller {
  const device = deviceFrom(event);
  if (device.deviceId !== deviceId) throw new ForbiddenError('This device token is for another device');
  return device;
}

function authorizerContext(event: AuthorizerContextEvent): Record<string, unknown> {
  const context: unknown = event.requestContext?.authorizer;
  if (typeof context !== 'object' || context === null) throw missing('an authorizer');
  return context as Record<string, unknown>;
}

// A handler reached without its authorizer's context is misconfigured; refusing is the safe answer.
function missing(what: string): UnauthorizedError {
  return new UnauthorizedError(`The request was not authorized by ${what}`);
}
