import { mkdtemp, rm } from 'node:fs/promises';
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
import { createAdminAuthorizer } from '@serverless-patterns/shared/authorizers/admin/authorizer';
import { createPeopleAuthorizer } from '@serverless-patterns/shared/authorizers/people/authorizer';
import {
  createPeopleTokenVerifier,
  type TokenUse,
} from '@serverless-patterns/shared/authorizers/people/token-verifier';
import { requestAuthorizerEvent, tokenAuthorizerEvent } from '@serverless-patterns/shared/testing';
import { expect } from 'chai';
import { startCognito } from '../../src/emulators/cognito/cognito-local';
import type { RunningEmulator } from '../../src/emulators/emulator';
import { findFreePort } from '../../src/emulators/emulator';

const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/devices/dev-1';
const WHOLE_API_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*';
const tokenEvent = (authorizationToken: string) =>
  tokenAuthorizerEvent({ authorizationToken, methodArn: METHOD_ARN });
const requestEvent = (headers: Record<string, string>) =>
  requestAuthorizerEvent({ headers, methodArn: METHOD_ARN });

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof Error))
    throw new Error(`expected a rejection with an Error, got ${String(outcome)}`);
  return outcome;
}

// The shared authorizers end to end against cognito-local: real sign-up, confirmation and USER_PASSWORD_AUTH, then the tokens
// it signed go through the same authorizers as in AWS.
describe('people and admin authorizers against cognito-local', function () {
  this.timeout(10_000);

  let cognito: RunningEmulator | undefined;
  let dataDir: string;
  let issuer: string;
  let clientId: string;
  let idToken: string;
  let accessToken: string;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'authorizers-cognito-'));
    cognito = await startCognito({ port: await findFreePort(), dataDir });
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
