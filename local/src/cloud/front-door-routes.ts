import { resolvedOutputs, type Stack } from '../templates/stack';
import type { CloudDescription } from './cloud-description';
import type { FrontDoorRoute } from './front-door';
import type { IamApi } from './iam-authorization';

// What the front door routes, read from the packaged templates and the cloud's description: the
// custom domain's base-path mappings of the services' REST APIs.

/**
 * Where the custom domain maps a stack's REST API: its `ApiBasePath` output (declared whether or not
 * the stage has a domain; the front door plays the domain), else `/<service key>`; the mapping at the
 * root owns the top-level paths its template declares. Undefined without a REST API.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigateway-basepathmapping.html
 */
export function apiMappingOf(stack: Stack): { basePath: string; rootPaths?: string[] } | undefined {
  const resources = Object.values(stack.template.Resources);
  if (!resources.some((resource) => resource.Type === 'AWS::ApiGateway::RestApi')) return undefined;
  const declared = resolvedOutputs(stack).ApiBasePath;
  const basePath = normalizeBasePath(declared ?? `/${stack.service}`);
  return basePath === '' ? { basePath, rootPaths: topLevelPaths(stack) } : { basePath };
}

/** The custom domain's base-path mappings of the services the cloud describes, as front door routes. */
export function routesFrom(
  services: CloudDescription['services'],
  iamApis: Readonly<Record<string, IamApi>> = {},
): FrontDoorRoute[] {
  return Object.entries(services).flatMap(([key, service]) => {
    if (service.basePath === undefined || service.apiUrl === undefined) return [];
    const iam = iamApis[key];
    const route: FrontDoorRoute =
      service.basePath === ''
        ? { basePath: '', target: service.apiUrl, paths: service.rootPaths ?? [] }
        : { basePath: service.basePath, target: service.apiUrl };
    return [iam === undefined ? route : { ...route, iam }];
  });
}

/** 'devices', '/devices' -> '/devices'; '', '/' and '(none)' (the console's name for the root) -> ''. */
function normalizeBasePath(basePath: string): string {
  const trimmed = basePath.replace(/^\/+|\/+$/g, '');
  return trimmed === '' || trimmed === '(none)' ? '' : `/${trimmed}`;
}

/** PathParts of the REST API's resources whose parent is the API's root resource. */
function topLevelPaths(stack: Stack): string[] {
  return Object.values(stack.template.Resources)
    .filter((resource) => resource.Type === 'AWS::ApiGateway::Resource')
    .filter((resource) => {
      const parent = resource.Properties?.ParentId as { 'Fn::GetAtt'?: unknown } | undefined;
      const getAtt = parent?.['Fn::GetAtt'];
      return Array.isArray(getAtt) && getAtt[1] === 'RootResourceId';
    })
    .map((resource) => resource.Properties?.PathPart)
    .filter((part): part is string => typeof part === 'string' && !part.startsWith('{'));
}
