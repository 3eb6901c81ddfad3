import { evaluateCondition, resolveValue, type StackContext, UnresolvedReferenceError } from './intrinsics';

export interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Condition?: string;
  DependsOn?: string | string[];
}

export interface CloudFormationTemplate {
  Resources: Record<string, TemplateResource>;
  Conditions?: Record<string, unknown>;
  Outputs?: Record<string, { Value: unknown; Condition?: string; Export?: { Name: unknown } }>;
}

/** One packaged service, as the local cloud sees it. */
export interface Stack {
  service: string;
  stackName: string;
  template: CloudFormationTemplate;
  context: StackContext & {
    refs: Map<string, string>;
    attributes: Map<string, string>;
    conditions: Map<string, boolean>;
  };
}

export const LOCAL_ACCOUNT_ID = '000000000000';

export function createStack(
  service: string,
  stackName: string,
  template: CloudFormationTemplate,
  options: { region: string; exports: ReadonlyMap<string, string> },
): Stack {
  const context = {
    stackName,
    region: options.region,
    accountId: LOCAL_ACCOUNT_ID,
    refs: new Map<string, string>(),
    attributes: new Map<string, string>(),
    conditions: new Map<string, boolean>(),
    exports: options.exports,
  };
  for (const [name, expression] of Object.entries(template.Conditions ?? {})) {
    context.conditions.set(name, evaluateCondition(expression, context));
  }
  return { service, stackName, template, context };
}

/** The resources whose Condition holds, in template order. */
export function activeResources(stack: Stack): [string, TemplateResource][] {
  return Object.entries(stack.template.Resources).filter(
    ([, resource]) =>
      resource.Condition === undefined || stack.context.conditions.get(resource.Condition) === true,
  );
}

export function resolveProperties(stack: Stack, logicalId: string): Record<string, unknown> {
  const resource = stack.template.Resources[logicalId];
  if (resource === undefined)
    throw new UnresolvedReferenceError(`${stack.stackName} has no resource ${logicalId}`);
  return (resolveValue(resource.Properties ?? {}, stack.context) ?? {}) as Record<string, unknown>;
}

/** Resolves a property if everything it refers to is known; undefined otherwise. */
export function tryResolve(stack: Stack, value: unknown): unknown {
  try {
    return resolveValue(value, stack.context);
  } catch (error) {
    if (error instanceof UnresolvedReferenceError) return undefined;
    throw error;
  }
}

/** Outputs with an Export name, once their values can be resolved. */
export function resolvedExports(stack: Stack): Map<string, string> {
  const exported = new Map<string, string>();
  for (const output of Object.values(stack.template.Outputs ?? {})) {
    if (output.Export === undefined) continue;
    const name = tryResolve(stack, output.Export.Name);
    const value = tryResolve(stack, output.Value);
    if (typeof name === 'string' && value !== undefined) exported.set(name, String(value));
  }
  return exported;
}

/** Outputs whose Condition holds and whose value resolves, by output key, as DescribeStacks lists them. */
export function resolvedOutputs(stack: Stack): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const [key, output] of Object.entries(stack.template.Outputs ?? {})) {
    if (output.Condition !== undefined && stack.context.conditions.get(output.Condition) !== true) continue;
    const value = tryResolve(stack, output.Value);
    if (value !== undefined) outputs[key] = String(value);
  }
  return outputs;
}
