import { StateMachine as LocalRunner, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { resourcesOfKind } from '../../cloud/resource-kinds';
import { type Stack, tryResolve } from '../../templates/stack';
import { type AslDefinition, forEachState, taskResource, unsupportedFeatures } from './definition';
import type { LocalStateMachine } from './executions';

/**
 * Every AWS::StepFunctions::StateMachine of the packaged stacks, its definition resolved (as
 * serverless-step-functions emits it: a DefinitionString, often an Fn::Sub or Fn::Join holding
 * function ARNs; or a Definition object with DefinitionSubstitutions). Physical names and ARNs come
 * from the templates module (physical-names.ts). What cannot run as in AWS is refused with a warning.
 */
export function stateMachinesFrom(stacks: Iterable<Stack>, now: Date = new Date()) {
  const stateMachines: LocalStateMachine[] = [];
  const warnings: string[] = [];
  for (const stack of stacks) {
    for (const [logicalId, resource] of resourcesOfKind(stack, 'AWS::StepFunctions::StateMachine')) {
      const where = `${stack.service}: state machine ${logicalId}`;
      const arn = stack.context.refs.get(logicalId);
      const name = stack.context.attributes.get(`${logicalId}.Name`);
      const properties = tryResolve(stack, resource.Properties ?? {}) as Record<string, unknown> | undefined;
      if (arn === undefined || name === undefined || properties === undefined) {
        warnings.push(`${where} cannot be resolved locally and is not emulated`);
        continue;
      }
      const definitionText = definitionTextOf(properties);
      if (definitionText === undefined) {
        warnings.push(`${where} has no inline definition (DefinitionS3Location is not emulated)`);
        continue;
      }
      let definition: AslDefinition;
      try {
        definition = JSON.parse(definitionText) as AslDefinition;
      } catch (error) {
        warnings.push(`${where}: its definition is not JSON (${String(error)})`);
        continue;
      }
      const refusal = refusalOf(name, definition);
      if (refusal !== undefined) warnings.push(`${stack.service}: ${refusal}`);
      const unsupportedTasks: string[] = [];
      forEachState(definition, (stateName, state) => {
        if (state.Type !== 'Task' || typeof state.Resource !== 'string') return;
        if (taskResource(state.Resource).kind === 'unsupported')
          unsupportedTasks.push(`${stateName} (${state.Resource})`);
      });
      if (unsupportedTasks.length > 0)
        warnings.push(
          `${stack.service}: state machine ${name} has Task states the local cloud does not run (only Lambda is emulated): ${unsupportedTasks.join(', ')}`,
        );
      stateMachines.push({
        name,
        arn,
        roleArn: String(properties.RoleArn ?? ''),
        type: properties.StateMachineType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
        definitionText,
        definition,
        ...(refusal === undefined ? {} : { refusal }),
        creationDate: now,
      });
    }
  }
  return { stateMachines, warnings };
}

function definitionTextOf(properties: Record<string, unknown>): string | undefined {
  const substitutions = (properties.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-stepfunctions-statemachine.html#cfn-stepfunctions-statemachine-definitionsubstitutions
  const substitute = (text: string) =>
    text.replace(/\$\{([^}]+)\}/g, (match, key: string) =>
      key in substitutions ? String(substitutions[key]) : match,
    );
  if (typeof properties.DefinitionString === 'string') return substitute(properties.DefinitionString);
  if (properties.Definition !== undefined) return substitute(JSON.stringify(properties.Definition));
  return undefined;
}

/**
 * Why a definition is refused: what the local cloud cannot evaluate (JSONata, distributed Map), or
 * what AWS itself would refuse (CreateStateMachine validates the definition).
 */
function refusalOf(name: string, definition: AslDefinition): string | undefined {
  const unsupported = unsupportedFeatures(definition);
  if (unsupported.length > 0)
    return `state machine ${name} is not run locally: the local cloud does not evaluate ${unsupported.join(', ')}; use JSONPath, or run it in AWS`;
  try {
    new LocalRunner(definition as unknown as StateMachineDefinition, {
      validationOptions: { checkArn: true, checkPaths: true },
    });
    return undefined;
  } catch (error) {
    return `state machine ${name} has an invalid definition: ${error instanceof Error ? error.message : String(error)}`;
  }
}
