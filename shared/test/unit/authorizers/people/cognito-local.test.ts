import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { expect } from 'chai';
import { createAdminAuthorizer } from '../../../../src/authorizers/admin/authorizer';
import { createPeopleAuthorizer } from '../../../../src/authorizers/people/authorizer';
import { createPeopleTokenVerifier, type TokenUse } from '../../../../src/authorizers/people/token-verifier';
import { requestEvent, tokenEvent, WHOLE_API_ARN } from '../events';
import { rejectionOf } from '../jwt-kit';

interface CognitoEmulator {
  endpoint: string;
  stop(): Promise<void>;
}
type StartCognito = (options: { port: number; dataDir: string }) => Promise<CognitoEmulator>;

// shared must not depend on local (local depends on shared), so the emulator is loaded at run time
// through a computed specifier that this project's type-check does not follow.
const COGNITO_EMULATOR: string = '../../../../../local/src/emulators/cognito';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const address = server.address();
  await new Promise<void>((closed) => server.close(() => closed()));
  if (typeof address !== 'object' || address === null) throw new Error('no free port on 127.0.0.1');
  return address.port;
}

// End to end against cognito-local: real sign-up, confirmation and USER_PASSWORD_AUTH, then the tokens
// it signed go through the same authorizers as in AWS.
describe('people and admin authorizers against cognito-local', function () {
  this.timeout(10_000);

  let cognito: CognitoEmulator | undefined;
  let dataDir: string;
  let issuer: string;
  let clientId: string;
  let idToken: string;
  let accessToken: string;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'authorizers-cognito-'));
    const { startCognito } = (await import(COGNITO_EMULATOR)) as { startCognito: StartCognito };
    cognito = await startCognito({ port: await freePort(), dataDir });
    const client = new CognitoIdentityProviderClient({
      endpoint: cognito.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const { UserPool } = await client.send(
      new CreateUserPoolCommand({ PoolName: 'people', UsernameAttributes: ['email'] }),
    );
    const poolId = UserPool?.Id ?? '';
    const { UserPoolClient } = await client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: 'portal',
        ExplicitAuthFlows: ['USER_PASSWORD_AUTH'],
      }),
    );
    clientId = UserPoolClient?.ClientId ?? '';
    const email = 'ada@example.com';
    const password = 'Correct-Horse-42';
    await client.send(
      new SignUpCommand({
        ClientId: clientId,
        Username: email,
        Password: password,
        UserAttributes: [{ Name: 'email', Value: email }],
      }),
    );
    await client.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: email }));
    await client.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'admins' }));
    await client.send(
      new AdminAddUserToGroupCommand({ UserPoolId: poolId, GroupName: 'admins', Username: email }),
    );
    const { AuthenticationResult } = await client.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: clientId,
        AuthParameters: { USERNAME: email, PASSWORD: password },
      }),
    );
    client.destroy();
    idToken = AuthenticationResult?.IdToken ?? '';
    accessToken = AuthenticationResult?.AccessToken ?? '';
    issuer = `${cognito.endpoint}/${poolId}`;
  });

  after(async () => {
    await cognito?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const verifier = (tokenUse: TokenUse = 'id') => createPeopleTokenVerifier({ issuer, clientId, tokenUse });

  it('allows the ID token cognito-local issued, with the signed-in user in the context', async () => {
    const result = await createPeopleAuthorizer({ verifier: verifier() })(tokenEvent(`Bearer ${idToken}`));

    expect(result.policyDocument.Statement).to.deep.equal([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: WHOLE_API_ARN },
    ]);
    expect(result.context).to.include({ email: 'ada@example.com', groups: 'admins', tokenUse: 'id' });
    expect(result.principalId).to.be.a('string').and.equal(result.context?.userId).and.not.equal('');
  });

  it('allows the access token when configured for access tokens, and refuses it as an ID token', async () => {
    const event = tokenEvent(`Bearer ${accessToken}`);

    const allowed = await createPeopleAuthorizer({ verifier: verifier('access') })(event);
    const refused = await rejectionOf(createPeopleAuthorizer({ verifier: verifier('id') })(event));

    expect(allowed.context).to.include({ tokenUse: 'access', groups: 'admins' });
    expect(refused.message).to.equal('Unauthorized');
  });

  it('refuses the ID token for another app client', async () => {
    const other = createPeopleTokenVerifier({ issuer, clientId: 'another-client', tokenUse: 'id' });

    const error = await rejectionOf(
      createPeopleAuthorizer({ verifier: other })(tokenEvent(`Bearer ${idToken}`)),
    );

    expect(error.message).to.equal('Unauthorized');
  });

  it('lets the admin through the admin authorizer under admins-only', async () => {
    const authorize = createAdminAuthorizer({
      verifier: verifier(),
      adminGroup: 'admins',
      access: 'admins-only',
    });

    const result = await authorize(requestEvent({ Authorization: `Bearer ${idToken}` }));

    expect(result.policyDocument.Statement[0]).to.include({ Effect: 'Allow' });
    expect(result.context).to.include({ isAdmin: true });
  });
});
