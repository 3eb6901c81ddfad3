import {
  AdminConfirmSignUpCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { expect } from 'chai';
import { startCognito } from '../../src/emulators/cognito/cognito-local';
import { findFreePort, type RunningEmulator } from '../../src/emulators/emulator';
import { clientConfig, makeDataDir, removeDataDir, stopAndAssertGone, timed } from './support';

const claimsOf = (jwt: string | undefined) =>
  JSON.parse(Buffer.from(jwt?.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;

describe('Cognito user pools emulator (cognito-local)', function () {
  this.timeout(60_000);
  let dataDir: string;
  let emulator: RunningEmulator | undefined;
  let cognito: CognitoIdentityProviderClient;

  before(async () => {
    dataDir = await makeDataDir('cognito');
    emulator = await timed('cognito', async () => startCognito({ port: await findFreePort(), dataDir }));
    cognito = new CognitoIdentityProviderClient(clientConfig(emulator));
  });

  after(async () => {
    cognito?.destroy();
    await stopAndAssertGone(emulator);
    await removeDataDir(dataDir);
  });

  it('runs as a child process and signs a confirmed user in with USER_PASSWORD_AUTH', async () => {
    expect(emulator?.pid).to.be.a('number');
    const { UserPool } = await cognito.send(
      new CreateUserPoolCommand({ PoolName: 'people', UsernameAttributes: ['email'] }),
    );
    const UserPoolId = UserPool?.Id;
    const { UserPoolClient } = await cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId,
        ClientName: 'portal',
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    const ClientId = UserPoolClient?.ClientId;
    const Username = 'alice@example.com';
    const Password = 'Passw0rd!long';
    await cognito.send(
      new SignUpCommand({
        ClientId,
        Username,
        Password,
        UserAttributes: [{ Name: 'email', Value: Username }],
      }),
    );
    await cognito.send(new AdminConfirmSignUpCommand({ UserPoolId, Username }));

    const { AuthenticationResult } = await cognito.send(
      new InitiateAuthCommand({
        ClientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: Username, PASSWORD: Password },
      }),
    );

    expect(AuthenticationResult?.AccessToken).to.be.a('string');
    expect(AuthenticationResult?.RefreshToken).to.be.a('string');
    expect(claimsOf(AuthenticationResult?.IdToken)).to.include({
      token_use: 'id',
      aud: ClientId,
      email: Username,
    });
  });
});
