/**
 * Evaluates CloudFormation intrinsic functions against what the local cloud knows, so that local
 * resources get the names, ARNs and settings the packaged template gives them.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
 */

export interface StackContext {
  stackName: string;
  region: string;
  accountId: string;
  /** Ref value of each logical id already known (physical name, queue URL, topic ARN...). */
  refs: ReadonlyMap<string, string>;
  /** Fn::GetAtt value of `LogicalId.Attribute`. */
  attributes: ReadonlyMap<string, string>;
  /** Evaluated conditions of the template. */
  conditions: ReadonlyMap<string, boolean>;
  /** Exported outputs of every stack, for Fn::ImportValue. */
  exports: ReadonlyMap<string, string>;
}

export class UnresolvedReferenceError extends Error {
  override name = 'UnresolvedReferenceError';
}

/** Marks a property removed by `Ref: AWS::NoValue`. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

export function pseudoParameter(name: string, context: StackContext): string | typeof NO_VALUE | undefined {
  switch (name) {
    case 'AWS::AccountId':
      return context.accountId;
    case 'AWS::Region':
      return context.region;
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    case 'AWS::StackName':
      return context.stackName;
    case 'AWS::StackId':
      return `arn:aws:cloudformation:${context.region}:${context.accountId}:stack/${context.stackName}/local`;
    case 'AWS::NoValue':
      return NO_VALUE;
    default:
      return undefined;
  }
}

/** Evaluates every intrinsic in `value`; properties that evaluate to AWS::NoValue are removed. */
export function resolveValue(value: unknown, context: StackContext): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => resolveValue(item, context)).filter((item) => item !== NO_VALUE);
  }
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const [first] = entries;
  if (entries.length === 1 && first !== undefined && isIntrinsic(first[0])) {
    return resolveIntrinsic(first[0], first[1], context);
  }
  const result: Record<string, unknown> = {};
  for (const [key, item] of entries) {
    const resolved = resolveValue(item, context);
    if (resolved !== NO_VALUE) result[key] = resolved;
  }
  return result;
}

function isIntrinsic(key: string): boolean {
  return key === 'Ref' || key.startsWith('Fn::') || key === 'Condition';
}

function resolveIntrinsic(name: string, argument: unknown, context: StackContext): unknown {
  switch (name) {
    case 'Ref':
      return ref(String(argument), context);
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = Array.isArray(argument) ? argument : String(argument).split(/\.(.*)/);
      return getAtt(String(logicalId), String(attribute), context);
    }
    case 'Fn::Sub':
      return sub(argument, context);
    case 'Fn::Join': {
      const [delimiter, list] = argument as [string, unknown];
      const items = resolveValue(list, context);
      if (!Array.isArray(items)) throw new UnresolvedReferenceError('Fn::Join needs a list');
      return items.map(String).join(delimiter);
    }
    case 'Fn::Select': {
      const [index, list] = argument as [unknown, unknown];
      const items = resolveValue(list, context);
      if (!Array.isArray(items)) throw new UnresolvedReferenceError('Fn::Select needs a list');
      return items[Number(resolveValue(index, context))];
    }
    case 'Fn::Split': {
      const [delimiter, source] = argument as [string, unknown];
      return String(resolveValue(source, context)).split(delimiter);
    }
    case 'Fn::ImportValue': {
      const exportName = String(resolveValue(argument, context));
      const exported = context.exports.get(exportName);
      if (exported === undefined) throw new UnresolvedReferenceError(`no stack exports "${exportName}"`);
      return exported;
    }
    case 'Fn::If': {
      const [condition, whenTrue, whenFalse] = argument as [string, unknown, unknown];
      return resolveValue(conditionValue(condition, context) ? whenTrue : whenFalse, context);
    }
    case 'Fn::Equals':
    case 'Fn::Not':
    case 'Fn::And':
    case 'Fn::Or':
    case 'Condition':
      return evaluateCondition({ [name]: argument }, context);
    case 'Fn::GetAZs':
      return ['a', 'b', 'c'].map((zone) => `${context.region}${zone}`);
    case 'Fn::Base64':
      return Buffer.from(String(resolveValue(argument, context))).toString('base64');
    default:
      throw new UnresolvedReferenceError(`the local cloud does not evaluate ${name}`);
  }
}

function ref(logicalId: string, context: StackContext): unknown {
  const pseudo = pseudoParameter(logicalId, context);
  if (pseudo !== undefined) return pseudo;
  const value = context.refs.get(logicalId);
  if (value === undefined) throw new UnresolvedReferenceError(`Ref ${logicalId} is not known yet`);
  return value;
}

function getAtt(logicalId: string, attribute: string, context: StackContext): string {
  const value = context.attributes.get(`${logicalId}.${attribute}`);
  if (value === undefined)
    throw new UnresolvedReferenceError(`Fn::GetAtt ${logicalId}.${attribute} is not known yet`);
  return value;
}

function sub(argument: unknown, context: StackContext): string {
  const [template, variables] = Array.isArray(argument)
    ? (argument as [string, Record<string, unknown>])
    : [String(argument), {}];
  // ${!Literal} is an escaped "${Literal}".
  return template.replace(/\$\{([^}]+)\}/g, (_match, expression: string) => {
    if (expression.startsWith('!')) return `\${${expression.slice(1)}}`;
    if (expression in variables) return String(resolveValue(variables[expression], context));
    const [logicalId, attribute] = expression.split(/\.(.*)/);
    if (attribute !== undefined && logicalId !== undefined) return getAtt(logicalId, attribute, context);
    return String(ref(expression, context));
  });
}

function conditionValue(name: string, context: StackContext): boolean {
  const value = context.conditions.get(name);
  if (value === undefined) throw new UnresolvedReferenceError(`condition ${name} is not defined`);
  return value;
}

export function evaluateCondition(expression: unknown, context: StackContext): boolean {
  if (typeof expression === 'boolean') return expression;
  const [entry] = Object.entries(expression as Record<string, unknown>);
  if (entry === undefined) throw new UnresolvedReferenceError('empty condition');
  const [name, argument] = entry;
  const operands = Array.isArray(argument) ? argument : [argument];
  switch (name) {
    case 'Fn::Equals':
      return String(resolveValue(operands[0], context)) === String(resolveValue(operands[1], context));
    case 'Fn::Not':
      return !evaluateCondition(operands[0], context);
    case 'Fn::And':
      return operands.every((operand) => evaluateCondition(operand, context));
    case 'Fn::Or':
      return operands.some((operand) => evaluateCondition(operand, context));
    case 'Condition':
      return conditionValue(String(argument), context);
    default:
      throw new UnresolvedReferenceError(`${name} is not a condition function`);
  }
}
