import {
  CreateIdentityPoolCommand,
  DescribeIdentityPoolCommand,
  SetIdentityPoolRolesCommand,
  UpdateIdentityPoolCommand,
} from '@aws-sdk/client-cognito-identity';
import { resolveProperties } from '../templates/stack';
import type { Provisioner } from './provisioners';

/**
 * Identity pools and their roles, on the local Cognito Identity, through the same API CloudFormation
 * calls. A pool's Ref is its generated id (`<region>:<uuid>`), kept across restarts (generated-ids.json)
 * so that identities and their ids stay the same.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cognito-identitypool.html
 */
export const provisionIdentityPools: Provisioner = async (logicalIds, context) => {
  const { stack, clients, generatedIds } = context;
  for (const logicalId of logicalIds) {
    const properties = resolveProperties(stack, logicalId);
    const input = {
      IdentityPoolName: String(properties.IdentityPoolName ?? context.names.get(logicalId)),
      AllowUnauthenticatedIdentities:
        properties.AllowUnauthenticatedIdentities === true ||
        properties.AllowUnauthenticatedIdentities === 'true',
      AllowClassicFlow: properties.AllowClassicFlow === true || properties.AllowClassicFlow === 'true',
      CognitoIdentityProviders: (properties.CognitoIdentityProviders ?? []) as never,
      OpenIdConnectProviderARNs: (properties.OpenIdConnectProviderARNs ?? []) as string[],
    };
    const key = `${stack.stackName}/${logicalId}`;
    const known = generatedIds[key];
    const found =
      known === undefined
        ? undefined
        : await clients.cognitoIdentity
            .send(new DescribeIdentityPoolCommand({ IdentityPoolId: known }))
            .catch(() => undefined);
    let id: string;
    if (found !== undefined && known !== undefined) {
      await clients.cognitoIdentity.send(new UpdateIdentityPoolCommand({ ...input, IdentityPoolId: known }));
      id = known;
    } else {
      const created = await clients.cognitoIdentity.send(new CreateIdentityPoolCommand(input));
      id = created.IdentityPoolId as string;
      generatedIds[key] = id;
    }
    stack.context.refs.set(logicalId, id);
    stack.context.attributes.set(`${logicalId}.Name`, input.IdentityPoolName);
    stack.context.attributes.set(`${logicalId}.Id`, id);
  }
};

/** The roles of each pool and their mapping by provider (by token, or by rules on its claims). */
export const provisionIdentityPoolRoles: Provisioner = async (logicalIds, context) => {
  for (const logicalId of logicalIds) {
    const properties = resolveProperties(context.stack, logicalId);
    const mappings = (properties.RoleMappings ?? {}) as Record<string, { IdentityProvider: string }>;
    await context.clients.cognitoIdentity.send(
      new SetIdentityPoolRolesCommand({
        IdentityPoolId: String(properties.IdentityPoolId),
        Roles: (properties.Roles ?? {}) as Record<string, string>,
        // CloudFormation keys each mapping by a label and names its provider inside; the API keys it
        // by the provider.
        RoleMappings: Object.fromEntries(
          Object.values(mappings).map(({ IdentityProvider, ...mapping }) => [IdentityProvider, mapping]),
        ) as never,
      }),
    );
  }
};
