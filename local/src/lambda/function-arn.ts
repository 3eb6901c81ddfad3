// Lambda function names and ARNs, as the local cloud reads them from templates and requests and
// builds them for events: https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_RequestSyntax

/** `arn:aws:lambda:us-east-1:123456789012:function:name`. */
export function functionArn(region: string, accountId: string, functionName: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${functionName}`;
}

/** `arn:aws:lambda:us-east-1:123456789012:function:name[:alias]` -> `name`; undefined for other ARNs. */
export function functionNameFromArn(arn: string): string | undefined {
  const match = /^arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/.exec(arn);
  return match?.[1];
}

/**
 * The function a Lambda FunctionName designates: a name, a full or partial ARN, each with an
 * optional version or alias ("my-function:live").
 */
export function functionNameOf(reference: string): string | undefined {
  const fromArn = functionNameFromArn(reference);
  if (fromArn !== undefined) return fromArn;
  const partial = /^\d{12}:function:([\w-]+)(?::[\w$-]+)?$/.exec(reference);
  if (partial) return partial[1];
  const name = /^([\w-]+)(?::[\w$-]+)?$/.exec(reference);
  return name?.[1];
}
