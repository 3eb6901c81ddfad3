import { createHash } from 'node:crypto';
import type { IssuedCredentials } from '../emulators/cognito-identity/identity-pools';
import { activeResources, type Stack, tryResolve } from '../templates/stack';
import { evaluatePolicies, type PolicyStatement } from './iam-policy';
import { type IamIdentity, identityHeaders } from './offline-fixes/iam-identity';
import {
  type ReceivedRequest,
  type SignatureRefusal,
  signingKeyOf,
  verifySignature,
} from './sigv4-verification';

/**
 * API Gateway's IAM authorization of a method (`authorizer: aws_iam`), played by the front door: the
 * SigV4 signature checked with the secret of the temporary credentials the local Cognito Identity issued,
 * then the credentials' role's policies evaluated for execute-api:Invoke on the method ARN, as the
 * packaged template declares them. Refusals are the API's gateway responses from the same template.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html
 */

export interface IamMethod {
  httpMethod: string;
  /** The resource path's parts: 'me', 'credentials-check'; '{deviceId}' and '{proxy+}' as declared. */
  pathParts: string[];
}

/** A REST API's IAM-authorized methods and what it answers when it refuses. */
export interface IamApi {
  restApiId: string;
  stage: string;
  region: string;
  accountId: string;
  methods: IamMethod[];
  gatewayResponses: Readonly<Record<string, GatewayResponse>>;
}

export interface GatewayResponse {
  statusCode?: number;
  headers: Record<string, string>;
  /** The application/json template: $context.error.responseType, .messageString and .message. */
  template?: string;
}

/** What IAM knows: the credentials behind an access key, and each role's policy statements. */
export interface IamAuthority {
  credentialsOf(accessKeyId: string): IssuedCredentials | undefined;
  policiesOf(roleArn: string): readonly PolicyStatement[];
  /** The secret the front door vouches for identities with (offline-fixes/iam-identity.ts). */
  proofSecret: string;
  now?: () => Date;
}

export interface Refusal {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const ERROR_TYPES: Record<string, string> = {
  MISSING_AUTHENTICATION_TOKEN: 'MissingAuthenticationTokenException',
  INCOMPLETE_SIGNATURE: 'IncompleteSignatureException',
  INVALID_SIGNATURE: 'InvalidSignatureException',
  EXPIRED_TOKEN: 'ExpiredTokenException',
  ACCESS_DENIED: 'AccessDeniedException',
};
const SESSION_NAME = 'CognitoIdentityCredentials';

/** The IAM-authorized method that `path` (relative to the API) and `method` reach, if any. */
export function iamMethodOf(api: IamApi, method: string, path: string): IamMethod | undefined {
  const parts = path.split('/').filter((part) => part !== '');
  return api.methods.find(
    (candidate) =>
      (candidate.httpMethod === 'ANY' || candidate.httpMethod === method.toUpperCase()) &&
      pathMatches(candidate.pathParts, parts),
  );
}

/**
 * Authorizes one request to an IAM-authorized method: the headers that vouch for its identity (to add
 * to the request forwarded to serverless-offline), or API Gateway's refusal.
 */
export async function authorizeIamRequest(
  api: IamApi,
  authority: IamAuthority,
  request: ReceivedRequest,
  forwarded: { path: string; url: string },
): Promise<{ headers: Record<string, string> } | { refused: Refusal }> {
  const now = authority.now?.() ?? new Date();
  const key = signingKeyOf(request);
  if ('refused' in key) return { refused: gatewayResponse(api, key.refused) };
  const credentials = authority.credentialsOf(key.accessKeyId);
  const signatureRefusal = await verifySignature(request, credentials, { region: api.region, now });
  if (signatureRefusal !== undefined || credentials === undefined) {
    return {
      refused: gatewayResponse(api, signatureRefusal ?? { responseType: 'INVALID_SIGNATURE', message: '' }),
    };
  }
  const identity = identityOf(credentials);
  const methodArn = `arn:aws:execute-api:${api.region}:${api.accountId}:${api.restApiId}/${api.stage}/${request.method.toUpperCase()}/${forwarded.path.replace(/^\/+/, '')}`;
  const decision = evaluatePolicies(authority.policiesOf(credentials.roleArn), {
    action: 'execute-api:Invoke',
    resource: methodArn,
  });
  if (decision !== 'allowed') {
    const message = `User: ${identity.userArn} is not authorized to perform: execute-api:Invoke on resource: ${methodArn}${decision === 'explicit-deny' ? ' with an explicit deny' : ''}`;
    return { refused: gatewayResponse(api, { responseType: 'ACCESS_DENIED', message }, 'Message') };
  }
  return {
    headers: identityHeaders(identity, { method: request.method, url: forwarded.url }, authority.proofSecret),
  };
}

/** requestContext.identity for temporary credentials of an identity pool role, as API Gateway fills it. */
export function identityOf(credentials: IssuedCredentials): IamIdentity {
  const [, , , , accountId = '', resource = ''] = credentials.roleArn.split(':');
  const roleName = resource.split('/').at(-1) ?? '';
  // IAM's unique id of the role (AROA...): stable per role, as in AWS.
  const roleId = `AROA${createHash('sha256').update(credentials.roleArn).digest('hex').slice(0, 17).toUpperCase()}`;
  return {
    accountId,
    caller: `${roleId}:${SESSION_NAME}`,
    user: `${roleId}:${SESSION_NAME}`,
    userArn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${SESSION_NAME}`,
    accessKey: credentials.accessKeyId,
    cognitoIdentityId: credentials.identityId,
    cognitoIdentityPoolId: credentials.identityPoolId,
    cognitoAuthenticationType: credentials.authenticationType,
    cognitoAuthenticationProvider: credentials.authenticationProvider || null,
  };
}

/**
 * The answer API Gateway gives for a refusal: the API's gateway response for its type (or its
 * DEFAULT_4XX), else API Gateway's own `{"message": ...}` (`Message` for an IAM denial).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
 */
export function gatewayResponse(
  api: Pick<IamApi, 'gatewayResponses'>,
  refusal: SignatureRefusal | { responseType: 'ACCESS_DENIED'; message: string },
  messageKey = 'message',
): Refusal {
  const declared = api.gatewayResponses[refusal.responseType] ?? api.gatewayResponses.DEFAULT_4XX;
  const body =
    declared?.template === undefined
      ? JSON.stringify({ [messageKey]: refusal.message })
      : declared.template
          .replaceAll('$context.error.responseType', refusal.responseType)
          .replaceAll('$context.error.messageString', JSON.stringify(refusal.message))
          .replaceAll('$context.error.message', refusal.message);
  return {
    statusCode: declared?.statusCode ?? 403,
    headers: {
      ...declared?.headers,
      'content-type': 'application/json',
      'x-amzn-errortype': ERROR_TYPES[refusal.responseType] ?? 'ForbiddenException',
    },
    body,
  };
}

/** The stack's REST API as IAM authorization needs it; undefined when no method of it uses AWS_IAM. */
export function iamApiOf(stack: Stack, stage: string): IamApi | undefined {
  const resources = new Map(activeResources(stack));
  const pathOf = (id: string): string[] => {
    const properties = resources.get(id)?.Properties ?? {};
    const parent = (properties.ParentId as { Ref?: string } | undefined)?.Ref;
    return [...(parent === undefined ? [] : pathOf(parent)), String(properties.PathPart)];
  };
  const methods: IamMethod[] = [];
  let restApiLogicalId: string | undefined;
  for (const [, resource] of resources) {
    if (resource.Type !== 'AWS::ApiGateway::Method' || resource.Properties?.AuthorizationType !== 'AWS_IAM')
      continue;
    const properties = resource.Properties;
    restApiLogicalId ??= (properties.RestApiId as { Ref?: string } | undefined)?.Ref;
    const resourceRef = (properties.ResourceId as { Ref?: string } | undefined)?.Ref;
    methods.push({
      httpMethod: String(properties.HttpMethod).toUpperCase(),
      pathParts: resourceRef === undefined ? [] : pathOf(resourceRef),
    });
  }
  const restApiId = restApiLogicalId === undefined ? undefined : stack.context.refs.get(restApiLogicalId);
  if (methods.length === 0 || restApiId === undefined) return undefined;
  const gatewayResponses: Record<string, GatewayResponse> = {};
  for (const [id, resource] of resources) {
    if (resource.Type !== 'AWS::ApiGateway::GatewayResponse') continue;
    const properties = (tryResolve(stack, resource.Properties) ?? {}) as Record<string, unknown>;
    const headers = Object.fromEntries(
      Object.entries((properties.ResponseParameters ?? {}) as Record<string, string>)
        .filter(([name]) => name.startsWith('gatewayresponse.header.'))
        .map(([name, value]) => [
          name.slice('gatewayresponse.header.'.length).toLowerCase(),
          value.replace(/^'|'$/g, ''),
        ]),
    );
    const template = (properties.ResponseTemplates as Record<string, string> | undefined)?.[
      'application/json'
    ];
    gatewayResponses[String(properties.ResponseType ?? id)] = {
      ...(properties.StatusCode === undefined ? {} : { statusCode: Number(properties.StatusCode) }),
      headers,
      ...(template === undefined ? {} : { template }),
    };
  }
  return {
    restApiId,
    stage,
    region: stack.context.region,
    accountId: stack.context.accountId,
    methods,
    gatewayResponses,
  };
}

/** Every role of the stacks, by ARN, with the statements of its inline policies. */
export function rolePoliciesOf(stacks: Iterable<Stack>): Map<string, PolicyStatement[]> {
  const policies = new Map<string, PolicyStatement[]>();
  for (const stack of stacks) {
    for (const [id, resource] of activeResources(stack)) {
      if (resource.Type !== 'AWS::IAM::Role') continue;
      const arn = stack.context.attributes.get(`${id}.Arn`);
      const resolved = tryResolve(stack, resource.Properties?.Policies ?? []) as
        | { PolicyDocument?: { Statement?: PolicyStatement | PolicyStatement[] } }[]
        | undefined;
      if (arn === undefined || resolved === undefined) continue;
      // Managed policies are not read locally: only inline statements can allow.
      policies.set(
        arn,
        resolved.flatMap(({ PolicyDocument }) => {
          const statements = PolicyDocument?.Statement ?? [];
          return Array.isArray(statements) ? statements : [statements];
        }),
      );
    }
  }
  return policies;
}

function pathMatches(pattern: readonly string[], parts: readonly string[]): boolean {
  for (const [index, part] of pattern.entries()) {
    if (/^\{.+\+\}$/.test(part)) return parts.length > index;
    const actual = parts[index];
    if (actual === undefined) return false;
    if (!/^\{.+\}$/.test(part) && part !== actual) return false;
  }
  return parts.length === pattern.length;
}
