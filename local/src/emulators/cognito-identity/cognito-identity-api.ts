import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { AwsJsonError, awsJsonListener, readRequestBody } from '../aws-json';
import { endpointFor, prepareDataDir, type RunningEmulator, serveOnLoopback } from '../emulator';
import { createIdentityPools, type IdentityPool, type IdentityPools } from './identity-pools';
import { createLoginVerifier } from './login-tokens';
import { createOpenIdTokenIssuer, JWKS_PATH } from './open-id-tokens';
import type { RoleMapping } from './role-mapping';

/**
 * Cognito Identity (identity pools) over its own wire protocol, AWS JSON 1.1 with
 * `X-Amz-Target: AWSCognitoIdentityService.<Operation>`, so that the unchanged
 * @aws-sdk/client-cognito-identity (and the SDK's fromCognitoIdentityPool credential provider) work
 * against it: the pools the local cloud provisions from the templates, GetId,
 * GetCredentialsForIdentity (with the pool's role mapping) and GetOpenIdToken.
 * https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/Welcome.html
 */

export interface RunningCognitoIdentity extends RunningEmulator {
  /** Resolves an access key id it issued, as IAM does for a signed request; undefined when unknown. */
  credentialsOf: IdentityPools['credentialsOf'];
}

export async function startCognitoIdentity(options: {
  port: number;
  dataDir: string;
  region: string;
  log?: (line: string) => void;
  clock?: () => Date;
}): Promise<RunningCognitoIdentity> {
  const clock = options.clock ?? (() => new Date());
  const dir = await prepareDataDir(options.dataDir);
  const pools = await createIdentityPools({
    region: options.region,
    stateFile: join(dir, 'identity-pools.json'),
    verifier: createLoginVerifier(),
    clock,
  });
  let endpoint = '';
  const openIdTokens = createOpenIdTokenIssuer(() => endpoint, clock);
  const api = awsJsonListener({
    serviceName: 'Cognito Identity',
    version: '1.1',
    targetPrefix: 'AWSCognitoIdentityService',
    internalErrorType: 'InternalErrorException',
    operations: operationsOf(pools, openIdTokens.issue),
    ...(options.log ? { log: options.log } : {}),
  });
  const listener: RequestListener = (request, response) => {
    if (request.method === 'GET' && request.url === JWKS_PATH) {
      const body = JSON.stringify(openIdTokens.jwks());
      response.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      });
      response.end(body);
      return;
    }
    if (request.method === 'POST' && request.url === EXPIRE_PATH) {
      expireCredentials(pools, request, response);
      return;
    }
    api(request, response);
  };
  const running = await serveOnLoopback('cognito-identity', createServer(listener), options.port);
  endpoint = endpointFor(options.port);
  return { ...running, credentialsOf: pools.credentialsOf };
}

/**
 * `POST /_local/expire-credentials {"accessKeyId": "ASIA..."}`: those credentials expire now, so that a
 * test sees what a caller sees an hour after GetCredentialsForIdentity, without waiting the hour.
 */
const EXPIRE_PATH = '/_local/expire-credentials';

function expireCredentials(pools: IdentityPools, request: IncomingMessage, response: ServerResponse): void {
  readRequestBody(request, 4096)
    .then(async (body) => {
      const { accessKeyId } = JSON.parse(body.toString('utf8')) as { accessKeyId?: unknown };
      const expired = typeof accessKeyId === 'string' && (await pools.expire(accessKeyId));
      response.writeHead(expired ? 204 : 404).end();
    })
    .catch(() => response.writeHead(400).end());
}

function operationsOf(
  pools: IdentityPools,
  issueOpenIdToken: ReturnType<typeof createOpenIdTokenIssuer>['issue'],
) {
  return {
    CreateIdentityPool: async (input: Record<string, unknown>) => {
      const created = pools.createPool(poolInput(input));
      await pools.save();
      return created;
    },
    UpdateIdentityPool: async (input: Record<string, unknown>) => {
      pools.describePool(input.IdentityPoolId);
      const updated = pools.updatePool({ ...poolInput(input), IdentityPoolId: String(input.IdentityPoolId) });
      await pools.save();
      return updated;
    },
    DescribeIdentityPool: (input: Record<string, unknown>) => pools.describePool(input.IdentityPoolId),
    ListIdentityPools: () => ({
      IdentityPools: pools
        .listPools()
        .map(({ IdentityPoolId, IdentityPoolName }) => ({ IdentityPoolId, IdentityPoolName })),
    }),
    SetIdentityPoolRoles: async (input: Record<string, unknown>) => {
      pools.setRoles(
        input.IdentityPoolId,
        (input.Roles ?? {}) as Record<string, string>,
        (input.RoleMappings ?? {}) as Record<string, RoleMapping>,
      );
      await pools.save();
      return {};
    },
    GetIdentityPoolRoles: (input: Record<string, unknown>) => {
      const { roles, roleMappings } = pools.rolesOf(input.IdentityPoolId);
      return { IdentityPoolId: input.IdentityPoolId, Roles: roles, RoleMappings: roleMappings };
    },
    GetId: async (input: Record<string, unknown>) => ({
      IdentityId: await pools.getId(input.IdentityPoolId, input.Logins),
    }),
    GetCredentialsForIdentity: async (input: Record<string, unknown>) => {
      const issued = await pools.credentialsFor(input.IdentityId, input.Logins, input.CustomRoleArn);
      return {
        IdentityId: issued.identityId,
        Credentials: {
          AccessKeyId: issued.accessKeyId,
          SecretKey: issued.secretAccessKey,
          SessionToken: issued.sessionToken,
          Expiration: issued.expiration,
        },
      };
    },
    GetOpenIdToken: async (input: Record<string, unknown>) => {
      const claims = await pools.openIdClaims(input.IdentityId, input.Logins);
      return { IdentityId: claims.identityId, Token: issueOpenIdToken(claims) };
    },
  };
}

function poolInput(input: Record<string, unknown>): Omit<IdentityPool, 'IdentityPoolId'> {
  if (typeof input.IdentityPoolName !== 'string' || input.IdentityPoolName === '') {
    throw new AwsJsonError('InvalidParameterException', 'IdentityPoolName is required.');
  }
  if (typeof input.AllowUnauthenticatedIdentities !== 'boolean') {
    throw new AwsJsonError('InvalidParameterException', 'AllowUnauthenticatedIdentities is required.');
  }
  return {
    IdentityPoolName: input.IdentityPoolName,
    AllowUnauthenticatedIdentities: input.AllowUnauthenticatedIdentities,
    AllowClassicFlow: input.AllowClassicFlow === true,
    CognitoIdentityProviders: (input.CognitoIdentityProviders ??
      []) as IdentityPool['CognitoIdentityProviders'],
    OpenIdConnectProviderARNs: (input.OpenIdConnectProviderARNs ?? []) as string[],
  };
}
