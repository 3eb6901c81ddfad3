import { randomBytes, randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { AwsJsonError } from '../aws-json';
import type { LoginProvider, LoginVerifier, VerifiedLogin } from './login-tokens';
import { authenticatedRole, guestRole, type RoleDecision, type RoleMapping } from './role-mapping';

/**
 * The identity pools of the local Cognito Identity, their identities (one per person and pool, kept
 * across sign-ins and restarts) and the temporary credentials it issued. The local cloud's front door
 * resolves those credentials (`credentialsOf`) when it checks a SigV4 signature, as IAM does in AWS.
 */

export interface IdentityPool {
  IdentityPoolId: string;
  IdentityPoolName: string;
  AllowUnauthenticatedIdentities: boolean;
  AllowClassicFlow?: boolean;
  CognitoIdentityProviders?: { ProviderName: string; ClientId: string; ServerSideTokenCheck?: boolean }[];
  OpenIdConnectProviderARNs?: string[];
}

interface PoolState {
  pool: IdentityPool;
  roles: Record<string, string>;
  roleMappings: Record<string, RoleMapping>;
}

interface Identity {
  identityId: string;
  identityPoolId: string;
  /** `<provider>|<subject>` of every login linked to it; none for a guest. */
  logins: string[];
}

/** What IAM knows about temporary credentials it issued, and what API Gateway puts in requestContext.identity. */
export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  roleArn: string;
  identityId: string;
  identityPoolId: string;
  authenticationType: 'authenticated' | 'unauthenticated';
  /** API Gateway's cognitoAuthenticationProvider; '' for a guest. */
  authenticationProvider: string;
}

interface State {
  pools: Record<string, PoolState>;
  identities: Record<string, Identity>;
  credentials: Record<string, Omit<IssuedCredentials, 'expiration'> & { expiration: string }>;
}

const CREDENTIALS_LIFETIME_MS = 60 * 60 * 1000;
const ACCESS_KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export interface IdentityPoolsOptions {
  region: string;
  stateFile: string;
  verifier: LoginVerifier;
  clock: () => Date;
}

export async function createIdentityPools({ region, stateFile, verifier, clock }: IdentityPoolsOptions) {
  const state = await readState(stateFile);
  const save = () => writeFile(stateFile, JSON.stringify(state, null, 2));

  const poolState = (identityPoolId: unknown): PoolState => {
    const found = typeof identityPoolId === 'string' ? state.pools[identityPoolId] : undefined;
    if (found === undefined) {
      throw new AwsJsonError(
        'ResourceNotFoundException',
        `IdentityPool '${String(identityPoolId)}' not found.`,
      );
    }
    return found;
  };

  const providerOf = (pool: IdentityPool, name: string): LoginProvider => {
    const clients = (pool.CognitoIdentityProviders ?? []).filter((entry) => entry.ProviderName === name);
    if (clients.length > 0) {
      return { name, kind: 'user-pool', clientIds: clients.map((entry) => entry.ClientId) };
    }
    if ((pool.OpenIdConnectProviderARNs ?? []).some((arn) => arn.endsWith(`:oidc-provider/${name}`))) {
      return { name, kind: 'oidc', clientIds: [] };
    }
    throw new AwsJsonError(
      'NotAuthorizedException',
      `Invalid login token. ${name} is not a provider of identity pool ${pool.IdentityPoolId}.`,
    );
  };

  const verifyLogins = async (pool: IdentityPool, logins: unknown): Promise<VerifiedLogin[]> => {
    if (logins === undefined || logins === null) return [];
    if (typeof logins !== 'object')
      throw new AwsJsonError('InvalidParameterException', 'Logins must be a map.');
    return Promise.all(
      Object.entries(logins as Record<string, unknown>).map(([name, token]) =>
        verifier.verify(providerOf(pool, name), token),
      ),
    );
  };

  const loginKey = (login: VerifiedLogin) => `${login.provider}|${login.subject}`;

  const identityOf = (identityId: unknown): Identity => {
    const found = typeof identityId === 'string' ? state.identities[identityId] : undefined;
    if (found === undefined) {
      throw new AwsJsonError('ResourceNotFoundException', `Identity '${String(identityId)}' not found.`);
    }
    return found;
  };

  /** The identity's logins checked: none for a guest, else at least one of its own, verified. */
  const signedInAs = async (identity: Identity, logins: unknown) => {
    const { pool } = poolState(identity.identityPoolId);
    const verified = await verifyLogins(pool, logins);
    if (identity.logins.length === 0) {
      if (verified.length > 0 || !pool.AllowUnauthenticatedIdentities) {
        throw new AwsJsonError(
          'NotAuthorizedException',
          'Unauthenticated access is not supported for this identity pool.',
        );
      }
      return undefined;
    }
    const own = verified.find((login) => identity.logins.includes(loginKey(login)));
    if (own === undefined) {
      throw new AwsJsonError(
        'NotAuthorizedException',
        'Logins don’t match. Please include at least one valid login for this identity or identity pool.',
      );
    }
    return own;
  };

  const authenticationProviderOf = (login: VerifiedLogin): string =>
    login.clientId === undefined
      ? login.provider
      : `${login.provider},${login.provider}:CognitoSignIn:${login.subject}`;

  return {
    createPool(pool: Omit<IdentityPool, 'IdentityPoolId'>): IdentityPool {
      const created = { ...pool, IdentityPoolId: `${region}:${randomUUID()}` };
      state.pools[created.IdentityPoolId] = { pool: created, roles: {}, roleMappings: {} };
      return created;
    },
    updatePool(pool: IdentityPool): IdentityPool {
      poolState(pool.IdentityPoolId).pool = pool;
      return pool;
    },
    describePool: (identityPoolId: unknown) => poolState(identityPoolId).pool,
    listPools: () => Object.values(state.pools).map(({ pool }) => pool),
    setRoles(
      identityPoolId: unknown,
      roles: Record<string, string>,
      roleMappings: Record<string, RoleMapping>,
    ) {
      const found = poolState(identityPoolId);
      found.roles = roles;
      found.roleMappings = roleMappings;
    },
    rolesOf(identityPoolId: unknown) {
      const { roles, roleMappings } = poolState(identityPoolId);
      return { roles, roleMappings };
    },

    /** GetId: the identity of the person the logins name in this pool (made on first sign-in), or a new guest. */
    async getId(identityPoolId: unknown, logins: unknown): Promise<string> {
      const { pool } = poolState(identityPoolId);
      const verified = await verifyLogins(pool, logins);
      if (verified.length === 0 && !pool.AllowUnauthenticatedIdentities) {
        throw new AwsJsonError(
          'NotAuthorizedException',
          'Unauthenticated access is not supported for this identity pool.',
        );
      }
      const keys = verified.map(loginKey);
      const existing = Object.values(state.identities).find(
        (identity) =>
          identity.identityPoolId === pool.IdentityPoolId &&
          identity.logins.some((key) => keys.includes(key)),
      );
      if (existing !== undefined) return existing.identityId;
      const identityId = `${region}:${randomUUID()}`;
      state.identities[identityId] = { identityId, identityPoolId: pool.IdentityPoolId, logins: keys };
      await save();
      return identityId;
    },

    /** GetCredentialsForIdentity: temporary credentials of the role the pool maps this sign-in to. */
    async credentialsFor(
      identityId: unknown,
      logins: unknown,
      customRoleArn: unknown,
    ): Promise<IssuedCredentials> {
      const identity = identityOf(identityId);
      const login = await signedInAs(identity, logins);
      const pool = poolState(identity.identityPoolId);
      const decision: RoleDecision =
        login === undefined
          ? guestRole(pool)
          : authenticatedRole(pool, {
              provider: login.provider,
              clientId: login.clientId,
              claims: login.claims,
            });
      if ('denied' in decision) throw new AwsJsonError('NotAuthorizedException', decision.denied);
      let roleArn = decision.roleArn;
      if (typeof customRoleArn === 'string' && customRoleArn !== '' && customRoleArn !== roleArn) {
        // A custom role must be one the token offers (cognito:roles of a user pool's groups).
        const offered = login?.claims['cognito:roles'];
        if (!Array.isArray(offered) || !offered.includes(customRoleArn)) {
          throw new AwsJsonError(
            'NotAuthorizedException',
            'The CustomRoleArn is not one of the roles of the token.',
          );
        }
        roleArn = customRoleArn;
      }
      const issued: IssuedCredentials = {
        accessKeyId: `ASIA${randomKey(16)}`,
        secretAccessKey: randomBytes(30).toString('base64'),
        sessionToken: randomBytes(96).toString('base64'),
        expiration: new Date(clock().getTime() + CREDENTIALS_LIFETIME_MS),
        roleArn,
        identityId: identity.identityId,
        identityPoolId: identity.identityPoolId,
        authenticationType: login === undefined ? 'unauthenticated' : 'authenticated',
        authenticationProvider: login === undefined ? '' : authenticationProviderOf(login),
      };
      state.credentials[issued.accessKeyId] = { ...issued, expiration: issued.expiration.toISOString() };
      await save();
      return issued;
    },

    /** GetOpenIdToken's checks: the identity, and its logins when it has any. */
    async openIdClaims(identityId: unknown, logins: unknown) {
      const identity = identityOf(identityId);
      const login = await signedInAs(identity, logins);
      const amr =
        login === undefined
          ? ['unauthenticated']
          : ['authenticated', login.provider, authenticationProviderOf(login).split(',').at(-1) as string];
      return { identityId: identity.identityId, identityPoolId: identity.identityPoolId, amr };
    },

    /** The credentials an access key id names, as IAM resolves them when a signed request arrives. */
    credentialsOf(accessKeyId: string): IssuedCredentials | undefined {
      const found = state.credentials[accessKeyId];
      return found === undefined ? undefined : { ...found, expiration: new Date(found.expiration) };
    },
    /** Ends credentials now, as their hour running out would (tests: POST /_local/expire-credentials). */
    async expire(accessKeyId: string): Promise<boolean> {
      const found = state.credentials[accessKeyId];
      if (found === undefined) return false;
      found.expiration = new Date(clock().getTime() - 1000).toISOString();
      await save();
      return true;
    },
    save,
  };
}

export type IdentityPools = Awaited<ReturnType<typeof createIdentityPools>>;

function randomKey(length: number): string {
  return [...randomBytes(length)].map((byte) => ACCESS_KEY_ALPHABET[byte % 32]).join('');
}

async function readState(file: string): Promise<State> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as State;
  } catch {
    return { pools: {}, identities: {}, credentials: {} };
  }
}
