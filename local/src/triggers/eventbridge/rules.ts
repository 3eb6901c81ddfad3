import { InvalidEventPatternError } from './errors';

/** An AWS::Events::Rule as the local cloud runs it. */
export interface EventRule {
  name: string;
  arn: string;
  eventBusName: string;
  scheduleExpression?: string;
  /** The pattern object (a template may give it as JSON text; it is parsed here). */
  eventPattern?: Record<string, unknown>;
  state: 'ENABLED' | 'DISABLED';
  targets: RuleTarget[];
}

export interface RuleTarget {
  id: string;
  /** A Lambda function ARN; other target types are reported by the scheduler and the bus, not invoked. */
  arn: string;
  /** Constant JSON text that replaces the event. */
  input?: string;
  /** A JSONPath (`$.detail`) selecting the part of the event that is delivered. */
  inputPath?: string;
  /** Kept so that it can be reported as not emulated; it is never applied. */
  inputTransformer?: unknown;
  deadLetterArn?: string;
  maximumRetryAttempts?: number;
  maximumEventAgeInSeconds?: number;
}

export interface RulesFromTemplateOptions {
  region?: string;
  accountId?: string;
  /** The rule's physical name when its template sets no Name (CloudFormation generates one). */
  nameOf?: (logicalId: string) => string | undefined;
}

interface TemplateTarget {
  Id?: unknown;
  Arn?: unknown;
  Input?: unknown;
  InputPath?: unknown;
  InputTransformer?: unknown;
  DeadLetterConfig?: { Arn?: unknown };
  RetryPolicy?: { MaximumRetryAttempts?: unknown; MaximumEventAgeInSeconds?: unknown };
}

/**
 * Reads every AWS::Events::Rule of a template whose intrinsics are already resolved, as osls
 * writes them for `schedule` and `eventBridge` function events (State, Targets[].Input, InputPath,
 * RetryPolicy, DeadLetterConfig; EventPattern as an object or JSON text; EventBusName as a name or ARN).
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-events-rule.html
 */
export function rulesFromTemplate(
  resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>,
  options: RulesFromTemplateOptions = {},
): EventRule[] {
  const { region = 'us-east-1', accountId = '000000000000' } = options;
  const rules: EventRule[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::Events::Rule') continue;
    const properties = resource.Properties ?? {};
    const name = optionalString(properties.Name) ?? options.nameOf?.(logicalId) ?? logicalId;
    const eventBusName = busName(properties.EventBusName);
    // Rules on a custom bus carry the bus name in their ARN.
    const arnPath = eventBusName === 'default' ? name : `${eventBusName}/${name}`;
    const targets = Array.isArray(properties.Targets) ? (properties.Targets as TemplateTarget[]) : [];
    const scheduleExpression = optionalString(properties.ScheduleExpression);
    const eventPattern = parsePattern(properties.EventPattern, logicalId);
    rules.push({
      name,
      arn: `arn:aws:events:${region}:${accountId}:rule/${arnPath}`,
      eventBusName,
      ...(scheduleExpression === undefined ? {} : { scheduleExpression }),
      ...(eventPattern === undefined ? {} : { eventPattern }),
      state: properties.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
      targets: targets.map((target, index) => ruleTarget(target, index)),
    });
  }
  return rules;
}

function ruleTarget(target: TemplateTarget, index: number): RuleTarget {
  const input = target.Input === undefined ? undefined : jsonText(target.Input);
  const inputPath = optionalString(target.InputPath);
  const deadLetterArn = optionalString(target.DeadLetterConfig?.Arn);
  const maximumRetryAttempts = optionalNumber(target.RetryPolicy?.MaximumRetryAttempts);
  const maximumEventAgeInSeconds = optionalNumber(target.RetryPolicy?.MaximumEventAgeInSeconds);
  return {
    id: optionalString(target.Id) ?? `target-${index + 1}`,
    arn: optionalString(target.Arn) ?? '',
    ...(input === undefined ? {} : { input }),
    ...(inputPath === undefined ? {} : { inputPath }),
    ...(target.InputTransformer === undefined ? {} : { inputTransformer: target.InputTransformer }),
    ...(deadLetterArn === undefined ? {} : { deadLetterArn }),
    ...(maximumRetryAttempts === undefined ? {} : { maximumRetryAttempts }),
    ...(maximumEventAgeInSeconds === undefined ? {} : { maximumEventAgeInSeconds }),
  };
}

function busName(value: unknown): string {
  const text = optionalString(value);
  if (text === undefined) return 'default';
  return text.startsWith('arn:') ? (text.split('/').pop() ?? text) : text;
}

function parsePattern(value: unknown, logicalId: string): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch (error) {
      throw new InvalidEventPatternError(`${logicalId}: EventPattern is not valid JSON`, { cause: error });
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidEventPatternError(`${logicalId}: EventPattern must be a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

/** CloudFormation takes Input as JSON text; a template may also hold it as an object. */
function jsonText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function optionalNumber(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}
