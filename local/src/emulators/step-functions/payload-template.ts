import { StateMachine as LocalRunner, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { StatesRuntimeError } from './lambda-tasks';

/**
 * Payload templates and paths of the distributed Map's own fields (ItemSelector, ItemReader and
 * ResultWriter Parameters, BatchInput, the ...Path fields), evaluated by aws-local-stepfunctions
 * itself: a one-state Pass machine whose Parameters are the template. So `.$` keys, `$$` context
 * paths and intrinsic functions mean exactly what they mean in the rest of the definition.
 * https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html
 */
export type Evaluate = (input: unknown, context: Record<string, unknown>) => Promise<unknown>;

export function payloadTemplate(template: unknown): Evaluate {
  const runner = new LocalRunner(
    { StartAt: 'Template', States: { Template: { Type: 'Pass', Parameters: template, End: true } } } as never,
    { validationOptions: { noValidate: true } },
  );
  return async (input, context) => {
    try {
      return await runner.run(input as never, { context: context as never }).result;
    } catch (error) {
      // A path that points nowhere is States.Runtime in AWS too: neither retried nor caught.
      const reason = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      throw new StatesRuntimeError(reason instanceof Error ? reason.message : String(reason));
    }
  };
}

/** A reference path (`$.field`, `$$.Execution.Name`) read from the input or the context. */
export function referencePath(path: string): Evaluate {
  const template = payloadTemplate({ 'value.$': path });
  return async (input, context) => ((await template(input, context)) as { value: unknown }).value;
}

/** A field given either as a value (`MaxConcurrency`) or as a path to one (`MaxConcurrencyPath`). */
export async function valueOrPath(
  value: unknown,
  path: unknown,
  input: unknown,
  context: Record<string, unknown>,
): Promise<unknown> {
  if (typeof path === 'string') return referencePath(path)(input, context);
  return value;
}

export type { StateMachineDefinition };
