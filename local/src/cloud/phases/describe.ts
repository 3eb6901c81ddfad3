import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { cognitoIdentity } from '../../emulators/cognito-identity';
import { EMULATORS } from '../../emulators/registry';
import { activeResources, LOCAL_ACCOUNT_ID, resolvedOutputs, type Stack } from '../../templates/stack';
import { type CloudDescription, writeCloudDescription } from '../cloud-description';
import { awsEnvironment, LOCAL_REGION, localCredentials } from '../endpoints';
import { apiMappingOf, startCloudFrontDoor } from '../front-door';
import { type IamApi, iamApiOf, rolePoliciesOf } from '../iam-authorization';
import type { RunningService } from '../offline';
import type { PackagedService } from '../package-services';
import { portalResponseHeadersFrom } from '../portal-headers';
import type { RunningEmulators } from './emulators';
import type { CloudFunctions } from './functions';
import type { CloudSettings, Teardown } from './settings';

/** The portal and every API on one origin listen here when the port is free. */
const PORTAL_PORT = 8080;

/**
 * Phase 6, describe: how people and tools reach the cloud. The front door serves the portal and every
 * service's API on one origin (CloudFront and the custom domain in AWS); `.local/cloud.json` says
 * where everything is. It is written last, whole, so that a reader that finds it finds a cloud ready.
 */
export async function describeCloud(
  settings: CloudSettings,
  inputs: {
    packaged: readonly PackagedService[];
    stacks: Map<string, Stack>;
    emulators: RunningEmulators;
    functions: CloudFunctions;
    controlUrl: string;
    warnings: string[];
  },
  teardown: Teardown,
): Promise<CloudDescription> {
  const { packaged, stacks, emulators, functions, controlUrl, warnings } = inputs;
  const services: CloudDescription['services'] = {};
  for (const { key, name } of packaged) {
    const stack = stacks.get(key) as Stack;
    // A service without functions runs no serverless-offline (functions phase).
    const offline: RunningService | undefined = functions.services.get(key);
    services[key] = {
      name,
      // serverless-offline serves HTTP only for a service with http or httpApi events.
      ...(offline !== undefined && hasHttpRoutes(stack) ? { apiUrl: offline.apiUrl } : {}),
      ...(offline === undefined ? {} : { lambdaEndpoint: offline.lambdaEndpoint }),
      functions: Object.fromEntries(
        functions.functions.filter((fn) => fn.service === key).map((fn) => [fn.key, fn.name]),
      ),
      resources: Object.fromEntries(
        activeResources(stack)
          .filter(([logicalId]) => stack.context.refs.has(logicalId))
          .map(([logicalId]) => [logicalId, stack.context.refs.get(logicalId) as string]),
      ),
      outputs: resolvedOutputs(stack),
      ...apiMappingOf(stack),
    };
  }
  // API Gateway's IAM authorization of aws_iam methods, with the credentials the local Cognito
  // Identity issued and the roles' policies from the templates (cloud/iam-authorization.ts).
  const iamApis: Record<string, IamApi> = {};
  for (const { key, stage } of packaged) {
    const api = iamApiOf(stacks.get(key) as Stack, stage);
    if (api !== undefined) iamApis[key] = api;
  }
  const identityPools = emulators.get(cognitoIdentity);
  const rolePolicies = rolePoliciesOf(stacks.values());
  const portalKey = Object.keys(services).find((key) => services[key]?.outputs.PortalBucketName);
  const portalHeaders =
    portalKey === undefined
      ? undefined
      : portalResponseHeadersFrom(stacks.get(portalKey) as Stack, {
          s3Origin: new URL(emulators.endpoints.s3).origin,
        });
  const frontDoor = await startCloudFrontDoor({
    webDir: join(settings.root, 'services', 'api', 'web'),
    portalDir: join(settings.paths.build, 'portal'),
    services,
    cognitoEndpoint: emulators.endpoints.cognito,
    cognitoIdentityEndpoint: emulators.endpoints.cognitoIdentity,
    ...(portalHeaders === undefined ? {} : { portalHeaders }),
    ...(identityPools === undefined
      ? {}
      : {
          iam: {
            apis: iamApis,
            authority: {
              credentialsOf: identityPools.credentialsOf,
              policiesOf: (roleArn: string) => rolePolicies.get(roleArn) ?? [],
              proofSecret: settings.iamProofSecret,
            },
          },
        }),
    region: LOCAL_REGION,
    ...(settings.preferredPort(PORTAL_PORT) === undefined ? {} : { preferredPort: PORTAL_PORT }),
    log: settings.log,
  });
  teardown.add(frontDoor.stop);
  const description: CloudDescription = {
    stage: settings.stage,
    region: LOCAL_REGION,
    accountId: LOCAL_ACCOUNT_ID,
    pid: process.pid,
    portalUrl: frontDoor.url,
    controlUrl,
    endpoints: emulators.endpoints,
    environment: awsEnvironment(emulators.endpoints),
    credentials: localCredentials(),
    services,
    processes: [
      { name: 'local cloud', pid: process.pid },
      ...emulators.processes,
      ...[...functions.services.values()].flatMap(({ name, pid }) =>
        pid === undefined ? [] : [{ name, pid }],
      ),
    ],
    skipped: emulators.skipped,
    // What an emulator does differently first (DynamoDB Local on every interface), then the templates'.
    warnings: [...EMULATORS.flatMap((definition) => emulators.get(definition)?.warnings ?? []), ...warnings],
  };
  await writeCloudDescription(settings.paths.cloudFile, description);
  teardown.add(() => rm(settings.paths.cloudFile, { force: true }));
  return description;
}

/** Whether the stack declares a REST API (`http` events) or an HTTP API (`httpApi` events). */
function hasHttpRoutes(stack: Stack): boolean {
  return Object.values(stack.template.Resources).some(
    (resource) => resource.Type === 'AWS::ApiGateway::RestApi' || resource.Type === 'AWS::ApiGatewayV2::Api',
  );
}
