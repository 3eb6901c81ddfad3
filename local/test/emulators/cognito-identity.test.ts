import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import {
  CognitoIdentityClient,
  CreateIdentityPoolCommand,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
  GetOpenIdTokenCommand,
  NotAuthorizedException,
  SetIdentityPoolRolesCommand,
} from '@aws-sdk/client-cognito-identity';
import { fromCognitoIdentityPool } from '@aws-sdk/credential-provider-cognito-identity';
import { expect } from 'chai';
import {
  type RunningCognitoIdentity,
  startCognitoIdentity,
} from '../../src/emulators/cognito-identity/cognito-identity-api';
import { closeHttpServer, findFreePort, listenOnLoopback } from '../../src/emulators/emulator';
import { clientConfig, makeDataDir, region, removeDataDir, stopAndAssertGone } from './support';

// The local Cognito Identity through the unchanged SDK client: a user pool's ID tokens (signed here by a
// key that a small JWKS server publishes on loopback, as cognito-local does) exchanged for an identity
// and credentials of the role the pool's rules give the person's groups.

const USER_ROLE = 'arn:aws:iam::000000000000:role/identity-user';
const ADMIN_ROLE = 'arn:aws:iam::000000000000:role/identity-admin';
const CLIENT_ID = 'portalclient0000000000000';

interface Issuer {
  providerName: string;
  token(claims?: Record<string, unknown>, key?: KeyObject): string;
  server: Server;
}

async function startIssuer(): Promise<Issuer> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const port = await findFreePort();
  const poolId = 'us-east-1_LocalPool';
  const jwks = JSON.stringify({
    keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' }],
  });
  const server = createServer((request, response) => {
    if (request.url === `/${poolId}/.well-known/jwks.json`) {
      response.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
    } else response.writeHead(404).end();
  });
  await listenOnLoopback(server, port, 'issuer');
  const providerName = `127.0.0.1:${port}/${poolId}`;
  return {
    providerName,
    server,
    token(claims = {}, key = privateKey) {
      const now = Math.floor(Date.now() / 1000);
      const header = { alg: 'RS256', kid: 'k1', typ: 'JWT' };
      const payload = {
        sub: 'sub-ada',
        aud: CLIENT_ID,
        iss: `http://${providerName}`,
        token_use: 'id',
        iat: now,
        exp: now + 600,
        ...claims,
      };
      const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
      const input = `${encode(header)}.${encode(payload)}`;
      return `${input}.${createSign('RSA-SHA256').update(input).sign(key).toString('base64url')}`;
    },
  };
}

describe('the local Cognito Identity', function () {
  this.timeout(30_000);
  let dataDir: string;
  let emulator: RunningCognitoIdentity;
  let issuer: Issuer;
  let client: CognitoIdentityClient;
  let poolId: string;

  before(async () => {
    dataDir = await makeDataDir('cognito-identity');
    issuer = await startIssuer();
    emulator = await startCognitoIdentity({ port: await findFreePort(), dataDir, region });
    client = new CognitoIdentityClient(clientConfig(emulator));
    const pool = await client.send(
      new CreateIdentityPoolCommand({
        IdentityPoolName: 'test pool',
        AllowUnauthenticatedIdentities: false,
        CognitoIdentityProviders: [{ ProviderName: issuer.providerName, ClientId: CLIENT_ID }],
      }),
    );
    poolId = pool.IdentityPoolId as string;
    await client.send(
      new SetIdentityPoolRolesCommand({
        IdentityPoolId: poolId,
        Roles: { authenticated: USER_ROLE },
        RoleMappings: {
          [`${issuer.providerName}:${CLIENT_ID}`]: {
            Type: 'Rules',
            AmbiguousRoleResolution: 'AuthenticatedRole',
            RulesConfiguration: {
              Rules: [
                { Claim: 'cognito:groups', MatchType: 'Contains', Value: 'admins', RoleARN: ADMIN_ROLE },
              ],
            },
          },
        },
      }),
    );
  });

  after(async () => {
    client?.destroy();
    await stopAndAssertGone(emulator);
    if (issuer) await closeHttpServer(issuer.server);
    await removeDataDir(dataDir);
  });

  const logins = (token: string) => ({ [issuer.providerName]: token });

  it('gives a person one identity, whatever sign-in, and credentials of the user role', async () => {
    const first = await client.send(
      new GetIdCommand({ IdentityPoolId: poolId, Logins: logins(issuer.token()) }),
    );
    const again = await client.send(
      new GetIdCommand({ IdentityPoolId: poolId, Logins: logins(issuer.token()) }),
    );
    expect(again.IdentityId)
      .to.equal(first.IdentityId)
      .and.to.match(/^us-east-1:[0-9a-f-]{36}$/);

    const { Credentials } = await client.send(
      new GetCredentialsForIdentityCommand({ IdentityId: first.IdentityId, Logins: logins(issuer.token()) }),
    );

    expect(Credentials?.AccessKeyId).to.match(/^ASIA[A-Z2-7]{16}$/);
    expect(Credentials?.Expiration?.getTime()).to.be.greaterThan(Date.now() + 50 * 60 * 1000);
    const issued = emulator.credentialsOf(Credentials?.AccessKeyId as string);
    expect(issued).to.deep.include({
      secretAccessKey: Credentials?.SecretKey,
      sessionToken: Credentials?.SessionToken,
      roleArn: USER_ROLE,
      identityId: first.IdentityId,
      identityPoolId: poolId,
      authenticationType: 'authenticated',
    });
  });

  it('maps a member of admins to the admin role, through the SDK’s own credential provider', async () => {
    const credentials = fromCognitoIdentityPool({
      identityPoolId: poolId,
      logins: logins(issuer.token({ sub: 'sub-grace', 'cognito:groups': ['admins'] })),
      clientConfig: clientConfig(emulator),
    });

    const { accessKeyId } = await credentials();

    expect(emulator.credentialsOf(accessKeyId)?.roleArn).to.equal(ADMIN_ROLE);
  });

  it('refuses a forged, an expired, an access or another client’s token, and no token at all', async () => {
    const { privateKey: unknownKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const now = Math.floor(Date.now() / 1000);
    const refused = {
      forged: issuer.token({}, unknownKey),
      expired: issuer.token({ iat: now - 7200, exp: now - 3600 }),
      access: issuer.token({ token_use: 'access' }),
      otherClient: issuer.token({ aud: 'anotherclient000000000000' }),
      otherIssuer: issuer.token({ iss: 'http://127.0.0.1:1/us-east-1_Other' }),
    };
    for (const [name, token] of Object.entries(refused)) {
      const error = await client
        .send(new GetIdCommand({ IdentityPoolId: poolId, Logins: logins(token) }))
        .catch((caught: unknown) => caught);
      expect(error, name).to.be.instanceOf(NotAuthorizedException);
      expect((error as Error).message, name).to.match(/^Invalid login token\./);
    }
    const guest = await client
      .send(new GetIdCommand({ IdentityPoolId: poolId }))
      .catch((caught: unknown) => caught);
    expect(guest).to.be.instanceOf(NotAuthorizedException);
    expect((guest as Error).message).to.equal(
      'Unauthenticated access is not supported for this identity pool.',
    );
  });

  it('gives credentials for an identity only with one of its own logins', async () => {
    const { IdentityId } = await client.send(
      new GetIdCommand({ IdentityPoolId: poolId, Logins: logins(issuer.token()) }),
    );
    const someoneElse = issuer.token({ sub: 'sub-mallory' });

    const error = await client
      .send(new GetCredentialsForIdentityCommand({ IdentityId, Logins: logins(someoneElse) }))
      .catch((caught: unknown) => caught);

    expect(error).to.be.instanceOf(NotAuthorizedException);
  });

  it('issues an OpenID token for the identity, verifiable with the JWKS it serves', async () => {
    const { IdentityId } = await client.send(
      new GetIdCommand({ IdentityPoolId: poolId, Logins: logins(issuer.token()) }),
    );

    const { Token } = await client.send(
      new GetOpenIdTokenCommand({ IdentityId, Logins: logins(issuer.token()) }),
    );

    const [, payload] = (Token as string).split('.');
    const claims = JSON.parse(Buffer.from(payload as string, 'base64url').toString('utf8'));
    expect(claims).to.include({ sub: IdentityId, aud: poolId, iss: emulator.endpoint });
    expect(claims.amr).to.deep.equal([
      'authenticated',
      issuer.providerName,
      `${issuer.providerName}:CognitoSignIn:sub-ada`,
    ]);
    const jwks = (await (await fetch(`${emulator.endpoint}/.well-known/jwks_uri`)).json()) as {
      keys: unknown[];
    };
    expect(jwks.keys).to.have.length(1);
  });
});
