/**
 * Which role an identity pool gives a signed-in identity: the pool's role mapping for the provider the
 * person signed in with (by token: cognito:preferred_role; or by rules on the token's claims, first
 * match wins), and the pool's authenticated role when the mapping leaves it ambiguous and says so.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/role-based-access-control.html
 */

export interface MappingRule {
  Claim: string;
  MatchType: 'Equals' | 'Contains' | 'StartsWith' | 'NotEqual';
  Value: string;
  RoleARN: string;
}

export interface RoleMapping {
  Type: 'Token' | 'Rules';
  AmbiguousRoleResolution?: 'AuthenticatedRole' | 'Deny';
  RulesConfiguration?: { Rules: MappingRule[] };
}

export interface PoolRoles {
  /** { authenticated, unauthenticated }: role ARNs. */
  roles: Readonly<Record<string, string>>;
  /** By provider: `<provider name>:<app client id>` for a user pool, `<provider name>` for OIDC. */
  roleMappings: Readonly<Record<string, RoleMapping>>;
}

export type RoleDecision = { roleArn: string } | { denied: string };

/** The role of an authenticated identity whose login token, from `provider`, carries `claims`. */
export function authenticatedRole(
  pool: PoolRoles,
  login: { provider: string; clientId?: string; claims: Readonly<Record<string, unknown>> },
): RoleDecision {
  const mapping =
    (login.clientId === undefined ? undefined : pool.roleMappings[`${login.provider}:${login.clientId}`]) ??
    pool.roleMappings[login.provider];
  const mapped = mapping === undefined ? undefined : mappedRole(mapping, login.claims);
  if (mapped !== undefined) return { roleArn: mapped };
  if (mapping !== undefined && mapping.AmbiguousRoleResolution !== 'AuthenticatedRole') {
    return { denied: `Ambiguous role mapping rules for: ${login.provider}` };
  }
  const fallback = pool.roles.authenticated;
  return fallback === undefined
    ? { denied: 'Invalid identity pool configuration. Check assigned IAM roles for this pool.' }
    : { roleArn: fallback };
}

/** The role of a guest: the pool's unauthenticated role. */
export function guestRole(pool: PoolRoles): RoleDecision {
  const role = pool.roles.unauthenticated;
  return role === undefined
    ? { denied: 'Invalid identity pool configuration. Check assigned IAM roles for this pool.' }
    : { roleArn: role };
}

function mappedRole(mapping: RoleMapping, claims: Readonly<Record<string, unknown>>): string | undefined {
  if (mapping.Type === 'Token') {
    // cognito:preferred_role is the role of the user's group with the lowest precedence; with none,
    // a single cognito:roles entry is unambiguous.
    const preferred = claims['cognito:preferred_role'];
    if (typeof preferred === 'string' && preferred !== '') return preferred;
    const roles = claims['cognito:roles'];
    return Array.isArray(roles) && roles.length === 1 && typeof roles[0] === 'string' ? roles[0] : undefined;
  }
  for (const rule of mapping.RulesConfiguration?.Rules ?? []) {
    if (ruleMatches(rule, claims[rule.Claim])) return rule.RoleARN;
  }
  return undefined;
}

/**
 * A claim that is a list (cognito:groups) matches when one of its values does, which is how a group
 * rule reads ("Contains admins"). Contains is a substring test, as in AWS: name groups so that no
 * group name contains another's.
 */
export function ruleMatches(rule: Pick<MappingRule, 'MatchType' | 'Value'>, claim: unknown): boolean {
  const values = (Array.isArray(claim) ? claim : claim === undefined ? [] : [claim]).map(String);
  switch (rule.MatchType) {
    case 'Equals':
      return values.includes(rule.Value);
    case 'Contains':
      return values.some((value) => value.includes(rule.Value));
    case 'StartsWith':
      return values.some((value) => value.startsWith(rule.Value));
    case 'NotEqual':
      return values.length > 0 && !values.includes(rule.Value);
    default:
      return false;
  }
}
