import { randomUUID } from 'node:crypto';
import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { CloudDescription } from '../src/cloud/cloud-description';

// Real people in the local cloud's user pool (the api service's, in cognito-local), signed up and
// signed in through the SDK as the portal does: for every suite that calls a route as someone.

export interface Person {
  email: string;
  password: string;
  /** The `sub` claim: the id every service files this person's things under. */
  userId: string;
  /** What the APIs expect: `Authorization: Bearer <idToken>`. */
  idToken: string;
  accessToken: string;
}

export interface People {
  /** Signs up, confirms and signs in a new person; `admin` adds them to the `admins` group first. */
  create(options?: { admin?: boolean }): Promise<Person>;
  destroy(): void;
}

type Description = Pick<CloudDescription, 'endpoints' | 'credentials' | 'region' | 'services'>;

export function people(description: Description): People {
  const endpoint = description.endpoints.cognito;
  const resources = description.services.api?.resources ?? {};
  const userPoolId = resources.UserPool;
  const clientId = resources.UserPoolClient;
  if (endpoint === undefined || userPoolId === undefined || clientId === undefined)
    throw new Error('the local cloud has no cognito endpoint or no api user pool');
  const cognito = new CognitoIdentityProviderClient({
    endpoint,
    region: description.region,
    credentials: description.credentials,
  });
  return {
    async create({ admin = false } = {}) {
      const email = `person-${randomUUID()}@example.com`;
      const password = `Correct-Horse-${randomUUID()}`;
      await cognito.send(
        new SignUpCommand({
          ClientId: clientId,
          Username: email,
          Password: password,
          UserAttributes: [{ Name: 'email', Value: email }],
        }),
      );
      await cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: userPoolId, Username: email }));
      if (admin) {
        await cognito.send(
          new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: email, GroupName: 'admins' }),
        );
      }
      const { AuthenticationResult } = await cognito.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: clientId,
          AuthParameters: { USERNAME: email, PASSWORD: password },
        }),
      );
      const idToken = AuthenticationResult?.IdToken;
      const accessToken = AuthenticationResult?.AccessToken;
      if (idToken === undefined || accessToken === undefined) throw new Error(`no tokens for ${email}`);
      const userId = claimsOf(idToken).sub;
      if (typeof userId !== 'string') throw new Error(`the ID token of ${email} has no sub`);
      return { email, password, userId, idToken, accessToken };
    },
    destroy() {
      cognito.destroy();
    },
  };
}

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}
