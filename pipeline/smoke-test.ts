/**
 * The pipeline's check of a freshly deployed stage (npm run smoke, pipeline/smoke-cli.ts). It reads each
 * stack's outputs, signs up a throwaway person, calls one route of every service with an HTTP API as that
 * person (or as a shopper, for the public click beacon), and deletes the person again, whatever happened.
 * It throws on the first failed check.
 *
 * localStage reads the local cloud's description, which holds the same outputs: the test suite runs the
 * same checks there, which is how the script is proven before a pipeline ever runs it.
 */
import { randomUUID } from 'node:crypto';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  AdminConfirmSignUpCommand,
  AdminDeleteUserCommand,
  CognitoIdentityProviderClient,
  type CognitoIdentityProviderClientConfig,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { CloudDescription } from '@serverless-patterns/local/testing';

export const SERVICES = ['api', 'catalog', 'clickstream', 'image-pipeline', 'ops'] as const;
type Service = (typeof SERVICES)[number];

/** A deployed stage as the checks see it: each stack's outputs and its API's address. */
export interface DeployedStage {
  stacks: Record<Service, { apiUrl?: string; outputs: Record<string, string> }>;
  /** How to reach Cognito (the region's endpoint in AWS). */
  cognito: CognitoIdentityProviderClientConfig;
}

export interface Check {
  name: string;
  run(): Promise<void>;
}

/** Reads the five stacks of a stage from CloudFormation (osls names them <service>-<stage>). */
export async function deployedStage(stage: string, region: string): Promise<DeployedStage> {
  const cloudFormation = new CloudFormationClient({ region });
  try {
    const entries = await Promise.all(
      SERVICES.map(async (service) => {
        const stackName = `serverless-patterns-${service}-${stage}`;
        const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
        const stack = Stacks?.[0];
        if (
          stack === undefined ||
          !/_COMPLETE$/.test(stack.StackStatus ?? '') ||
          /ROLLBACK/.test(stack.StackStatus ?? '')
        )
          throw new Error(`stack ${stackName} is ${stack?.StackStatus ?? 'missing'}`);
        const outputs = Object.fromEntries(
          (stack.Outputs ?? []).map(({ OutputKey, OutputValue }) => [OutputKey ?? '', OutputValue ?? '']),
        );
        // osls's own output for a service with HTTP events: https://<id>.execute-api.<region>.amazonaws.com/<stage>
        return [service, { apiUrl: outputs.ServiceEndpoint, outputs }] as const;
      }),
    );
    return { stacks: Object.fromEntries(entries) as DeployedStage['stacks'], cognito: { region } };
  } finally {
    cloudFormation.destroy();
  }
}

/** The local cloud's description (.local/cloud.json), read as a deployed stage. */
export function localStage(description: CloudDescription): DeployedStage {
  const stacks = Object.fromEntries(
    SERVICES.map((service) => {
      const described = description.services[service];
      if (described === undefined) throw new Error(`the local cloud has no ${service} service`);
      return [service, { apiUrl: described.apiUrl, outputs: described.outputs }];
    }),
  ) as DeployedStage['stacks'];
  return {
    stacks,
    cognito: {
      region: description.region,
      endpoint: description.endpoints.cognito,
      credentials: description.credentials,
    },
  };
}

/** Runs every check in order with a throwaway person, who is deleted at the end whatever happened. */
export async function smokeTest(stage: DeployedStage, report: (line: string) => void): Promise<void> {
  const { UserPoolId, UserPoolClientId } = stage.stacks.api.outputs;
  if (!UserPoolId || !UserPoolClientId)
    throw new Error('the api stack has no UserPoolId/UserPoolClientId output');
  const cognito = new CognitoIdentityProviderClient(stage.cognito);
  const email = `smoke-test-${randomUUID()}@example.com`;
  try {
    const password = `Smoke-${randomUUID()}-Aa1!`;
    await cognito.send(
      new SignUpCommand({
        ClientId: UserPoolClientId,
        Username: email,
        Password: password,
        UserAttributes: [{ Name: 'email', Value: email }],
      }),
    );
    await cognito.send(new AdminConfirmSignUpCommand({ UserPoolId, Username: email }));
    const { AuthenticationResult } = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: UserPoolClientId,
        AuthParameters: { USERNAME: email, PASSWORD: password },
      }),
    );
    // The people authorizer takes ID tokens (PEOPLE_JWT_TOKEN_USE, default id), as the portal sends them.
    const token = AuthenticationResult?.IdToken;
    if (token === undefined) throw new Error('signing the throwaway person in gave no ID token');
    report(`signed up and in as ${email}`);
    for (const check of checks(stage, token)) {
      await check.run();
      report(`ok   ${check.name}`);
    }
  } finally {
    await cognito
      .send(new AdminDeleteUserCommand({ UserPoolId, Username: email }))
      .catch((error: unknown) => report(`could not delete ${email}: ${String(error)}`));
    cognito.destroy();
  }
}

/** One route per service with an HTTP API (ops has none: deployedStage checks that its stack is complete). */
export function checks(stage: DeployedStage, token: string): Check[] {
  const asPerson = { authorization: `Bearer ${token}` };
  const call = (service: Service, path: string, init: RequestInit, expected: number): Check => ({
    name: `${service}: ${init.method ?? 'GET'} ${path} -> ${expected}`,
    async run() {
      const apiUrl = stage.stacks[service].apiUrl;
      if (apiUrl === undefined) throw new Error(`the ${service} stack has no API address`);
      const response = await fetch(`${apiUrl.replace(/\/$/, '')}${path}`, init);
      const body = await response.text();
      if (response.status !== expected)
        throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status} ${body.slice(0, 500)}`);
    },
  });
  const click = {
    eventId: randomUUID(),
    sessionId: `smoke-${randomUUID()}`,
    type: 'page_view',
    page: '/smoke-test',
    timestamp: Date.now(),
  };
  return [
    call('api', '/me', { headers: asPerson }, 200),
    call('catalog', '/search?q=smoke', { headers: asPerson }, 200),
    call('image-pipeline', '/', { headers: asPerson }, 200),
    call(
      'clickstream',
      '/',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clicks: [click] }),
      },
      202,
    ),
  ];
}
