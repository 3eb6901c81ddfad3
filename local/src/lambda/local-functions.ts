import { resourcesOfKind } from '../cloud/resource-kinds';
import { type Stack, tryResolve } from '../templates/stack';
import { asyncInvokeConfigFrom } from './async-invoker';

/** A function of a packaged template, as the local cloud runs it. */
export interface LocalFunction {
  service: string;
  logicalId: string;
  /** The function's key in serverless.yml (registerObject). */
  key: string;
  /** The physical name. */
  name: string;
  /** Its Environment.Variables, resolved. */
  environment: Record<string, string>;
  /** MemorySize, in MB: what Lambda gives it and bills. */
  memorySize: number;
  architecture: LambdaArchitecture;
  asyncConfig: ReturnType<typeof asyncInvokeConfigFrom>;
}

export type LambdaArchitecture = 'x86_64' | 'arm64';

// CloudFormation's defaults when a function declares neither.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-function.html
const DEFAULT_MEMORY_SIZE = 128;
const DEFAULT_ARCHITECTURE: LambdaArchitecture = 'x86_64';

/** Every function of the stacks, with its environment resolved (what cannot be, a warning) and its EventInvokeConfig. */
export function functionsOf(stacks: ReadonlyMap<string, Stack>, warnings: string[]): LocalFunction[] {
  const functions: LocalFunction[] = [];
  for (const stack of stacks.values()) {
    const invokeConfigs = resourcesOfKind(stack, 'AWS::Lambda::EventInvokeConfig');
    for (const [logicalId, resource] of resourcesOfKind(stack, 'AWS::Lambda::Function')) {
      const name = stack.context.refs.get(logicalId) as string;
      const variables =
        (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
          ?.Variables ?? {};
      const environment: Record<string, string> = {};
      for (const [variable, value] of Object.entries(variables)) {
        const resolved = tryResolve(stack, value);
        if (resolved === undefined)
          warnings.push(`${stack.service}: ${name} ${variable} cannot be resolved locally`);
        else environment[variable] = String(resolved);
      }
      // No X-Ray daemon runs locally; traces are an AWS-only feature.
      environment.POWERTOOLS_TRACE_ENABLED = 'false';
      const invokeConfig = invokeConfigs.find(
        ([, config]) => tryResolve(stack, config.Properties?.FunctionName) === name,
      );
      // osls names functions <service>-<stage>-<key>.
      const key = name.startsWith(`${stack.stackName}-`) ? name.slice(stack.stackName.length + 1) : logicalId;
      functions.push({
        service: stack.service,
        logicalId,
        key,
        name,
        environment,
        memorySize: Number(tryResolve(stack, resource.Properties?.MemorySize) ?? DEFAULT_MEMORY_SIZE),
        architecture:
          (tryResolve(stack, resource.Properties?.Architectures) as LambdaArchitecture[] | undefined)?.[0] ??
          DEFAULT_ARCHITECTURE,
        asyncConfig: asyncInvokeConfigFrom(
          invokeConfig
            ? (tryResolve(stack, invokeConfig[1].Properties) as Record<string, unknown>)
            : undefined,
        ),
      });
    }
  }
  return functions;
}
