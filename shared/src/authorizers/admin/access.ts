// Kept apart from admin.ts so that handlers reading the caller (caller.ts) do not bundle the JWT verifier.

/**
 * admins-only: only members of the admin group (prod, local, and the default).
 * any-signed-in-user: every verified person, for sandbox stages where developers try the admin pages.
 */
export const ADMIN_ACCESS_MODES = ['admins-only', 'any-signed-in-user'] as const;
export type AdminAccess = (typeof ADMIN_ACCESS_MODES)[number];

/** The Cognito group of operators, declared in services/api/serverless.yml. */
export const DEFAULT_ADMIN_GROUP = 'admins';
