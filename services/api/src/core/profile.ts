import type { Caller } from '@serverless-patterns/shared/authorizers/caller';

export type Profile = Caller;

/** The caller's profile: exactly the fields the portal shows, whatever else the caller object carries. */
export function profileOf({ userId, email, groups, isAdmin }: Caller): Profile {
  return { userId, email, groups, isAdmin };
}
