/**
 * npm run call:iam -- --email you@example.com --password '...' [--path /me/credentials-check]
 *                     [--cloud .local/cloud.json]
 *
 * Pattern 1, A and B from a script: signs in to the user pool (USER_PASSWORD_AUTH), exchanges the ID
 * token through the identity pool for temporary credentials of the role it maps the person to, and
 * calls an IAM-authorized route with a SigV4-signed request. It prints the role's answer, or API
 * Gateway's refusal. The local cloud's .local/cloud.json says where everything is; for a deployed
 * stage, pass the values yourself: --region, --user-pool-client, --identity-pool, --login-provider,
 * --api (the API's base URL).
 */
import { existsSync } from 'node:fs';
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  CLOUD_OPTION,
  LOCAL_CLOUD_FILE,
  parseCommandLine,
  usageError,
} from '@serverless-patterns/local/command-line';
import { readCloudDescription } from '@serverless-patterns/local/testing';
import { identityPoolCredentials, signRequest } from './iam-client';

const CALL_IAM = {
  invocation: 'npm run call:iam --',
  synopsis: '--email <email> --password <password> [options]',
  about: [
    'Patterns 1 A and B from a script: signs in to the user pool (USER_PASSWORD_AUTH), exchanges the ID',
    'token through the identity pool for temporary credentials of the role it maps the person to, and calls',
    "an IAM-authorized route with a SigV4-signed GET. It prints the role's answer, or API Gateway's refusal.",
    "Where: the local cloud's .local/cloud.json (npm start); for a deployed stage, without it, pass",
    '--region, --user-pool-client, --identity-pool, --login-provider and --api.',
  ].join('\n'),
  options: {
    email: {
      type: 'string',
      placeholder: '<email>',
      description: "the person's e-mail, their user name (required)",
    },
    password: { type: 'string', placeholder: '<password>', description: 'their password (required)' },
    path: {
      type: 'string',
      default: '/me/credentials-check',
      placeholder: '<path>',
      description: 'the IAM-authorized route to GET (default /me/credentials-check)',
    },
    cloud: { ...CLOUD_OPTION, default: LOCAL_CLOUD_FILE },
    region: {
      type: 'string',
      placeholder: '<region>',
      description: "the stage's region (without a cloud.json)",
    },
    'user-pool-client': {
      type: 'string',
      placeholder: '<id>',
      description: 'output UserPoolClientId of the api stack (without a cloud.json)',
    },
    'identity-pool': {
      type: 'string',
      placeholder: '<id>',
      description: 'output IdentityPoolId of the api stack (without a cloud.json)',
    },
    'login-provider': {
      type: 'string',
      placeholder: '<provider>',
      description: 'output IdentityPoolLoginProvider of the api stack (without a cloud.json)',
    },
    api: { type: 'string', placeholder: '<url>', description: "the API's base URL (without a cloud.json)" },
  },
} as const;

const { values } = parseCommandLine(CALL_IAM);
if (values.email === undefined || values.password === undefined)
  usageError(CALL_IAM.invocation, 'name who signs in: --email <email> --password <password>');
const { email, password } = values;

async function settings() {
  if (!existsSync(values.cloud)) {
    const need = (name: keyof typeof values) => {
      const value = values[name];
      if (typeof value !== 'string') throw new Error(`no ${values.cloud}: pass --${name}`);
      return value;
    };
    return {
      region: need('region'),
      clientId: need('user-pool-client'),
      identityPoolId: need('identity-pool'),
      loginProvider: need('login-provider'),
      apiBaseUrl: need('api'),
    };
  }
  const description = await readCloudDescription(values.cloud);
  const api = description.services.api;
  if (api === undefined) throw new Error(`${values.cloud} has no api service`);
  return {
    region: description.region,
    clientId: api.outputs.UserPoolClientId as string,
    identityPoolId: api.outputs.IdentityPoolId as string,
    loginProvider: api.outputs.IdentityPoolLoginProvider as string,
    apiBaseUrl: description.portalUrl as string,
    cognitoEndpoint: description.endpoints.cognito,
    cognitoIdentityEndpoint: description.endpoints.cognitoIdentity,
    credentials: description.credentials,
  };
}

async function main(): Promise<number> {
  const target = await settings();
  const cognito = new CognitoIdentityProviderClient({
    region: target.region,
    ...('cognitoEndpoint' in target
      ? { endpoint: target.cognitoEndpoint, credentials: target.credentials }
      : {}),
  });
  const { AuthenticationResult } = await cognito.send(
    new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: target.clientId,
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );
  cognito.destroy();
  const idToken = AuthenticationResult?.IdToken;
  if (idToken === undefined) throw new Error('the user pool gave no ID token (a challenge is pending?)');
  const credentials = await identityPoolCredentials(
    {
      region: target.region,
      identityPoolId: target.identityPoolId,
      loginProvider: target.loginProvider,
      ...('cognitoIdentityEndpoint' in target ? { endpoint: target.cognitoIdentityEndpoint } : {}),
    },
    idToken,
  );
  console.log(
    `identity ${credentials.identityId}, credentials until ${credentials.expiration?.toISOString()}`,
  );
  const request = await signRequest(credentials, target.region, {
    baseUrl: target.apiBaseUrl,
    method: 'GET',
    path: values.path,
  });
  const { host: _, ...headers } = request.headers;
  const response = await fetch(request.url, { method: request.method, headers });
  console.log(`GET ${values.path}: ${response.status}`);
  console.log(JSON.stringify(await response.json().catch(() => undefined), null, 2));
  return response.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
