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
  asyncConfig: ReturnType<typeof asyncInvokeConfigFrom>;
}

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
