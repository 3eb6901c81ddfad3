import { UnauthorizedError } from '@serverless-patterns/shared/errors';

/** Who is calling, as established by the API's authorizer and nothing else. */
export interface Caller {
  userId: string;
  email: string;
  groups: string[];
}

export interface Profile extends Caller {
  isAdmin: boolean;
}

/**
 * Reads the caller from the claims a Cognito user-pool authorizer verified. API Gateway passes
 * claims as strings; `cognito:groups` arrives as a space- or comma-separated list.
 */
export function callerFromClaims(claims: Record<string, unknown> | undefined): Caller {
  const userId = claims?.sub;
  const email = claims?.email;
  if (typeof userId !== 'string' || userId === '' || typeof email !== 'string') {
    throw new UnauthorizedError('The request carries no verified identity');
  }
  return { userId, email, groups: parseGroups(claims?.['cognito:groups']) };
}

function parseGroups(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.filter((group): group is string => typeof group === 'string');
  if (typeof raw !== 'string') return [];
  return raw
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter((group) => group !== '');
}

export function profileOf(caller: Caller): Profile {
  return { ...caller, isAdmin: caller.groups.includes('admins') };
}
