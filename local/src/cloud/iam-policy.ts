/**
 * IAM's decision on one request, as AWS evaluates identity policies: an explicit Deny in any statement
 * that applies wins; otherwise an Allow that applies allows; otherwise the request is implicitly denied.
 * Actions match case-insensitively, resources case-sensitively, both with `*` (any run of characters,
 * `/` and `:` included) and `?` (one character); NotAction and NotResource invert the match.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny' | string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: unknown;
}

export type PolicyDecision = 'allowed' | 'explicit-deny' | 'implicit-deny';

export function evaluatePolicies(
  statements: readonly PolicyStatement[],
  request: { action: string; resource: string },
): PolicyDecision {
  const applying = statements.filter((statement) => applies(statement, request));
  // Conditions are not evaluated locally (no request context keys): a Deny under a condition is taken
  // to apply and an Allow under one not to, so that a local answer is never more permissive than AWS's.
  if (applying.some((statement) => statement.Effect === 'Deny')) return 'explicit-deny';
  if (applying.some((statement) => statement.Effect === 'Allow' && statement.Condition === undefined)) {
    return 'allowed';
  }
  return 'implicit-deny';
}

function applies(statement: PolicyStatement, { action, resource }: { action: string; resource: string }) {
  const actionMatches =
    statement.Action !== undefined
      ? list(statement.Action).some((pattern) => wildcardMatch(pattern, action, true))
      : statement.NotAction !== undefined &&
        !list(statement.NotAction).some((p) => wildcardMatch(p, action, true));
  const resourceMatches =
    statement.Resource !== undefined
      ? list(statement.Resource).some((pattern) => wildcardMatch(pattern, resource, false))
      : statement.NotResource !== undefined &&
        !list(statement.NotResource).some((pattern) => wildcardMatch(pattern, resource, false));
  return actionMatches && resourceMatches;
}

/** IAM's wildcard match: `*` any run of characters, `?` exactly one; the rest literally. */
export function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .split('')
    .map((character) =>
      character === '*' ? '.*' : character === '?' ? '.' : character.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

function list(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}
