import type { InvokeResult, LambdaInvoker } from '../../../src/lambda/invoker';

/** A Lambda that answers from a script: each call gets the next answer, or the default. */
export class ScriptedInvoker implements LambdaInvoker {
  readonly calls: { functionName: string; payload: unknown; at: number }[] = [];
  private readonly answers: (InvokeResult | Error | Promise<InvokeResult>)[] = [];

  constructor(private readonly fallback: (payload: unknown) => InvokeResult = (payload) => ({ payload })) {}

  thenAnswer(...answers: (InvokeResult | Error | Promise<InvokeResult>)[]): this {
    this.answers.push(...answers);
    return this;
  }

  async invoke(functionName: string, payload: unknown): Promise<InvokeResult> {
    this.calls.push({ functionName, payload, at: performance.now() });
    const answer = this.answers.shift();
    if (answer instanceof Error) throw answer;
    return answer ?? this.fallback(payload);
  }
}

export const WORKER = 'local-fixture-local-stepWorker';
export const WORKER_ARN = `arn:aws:lambda:us-east-1:000000000000:function:${WORKER}`;

/** What Node.js's Lambda runtime answers for an uncaught error. */
export function functionError(errorType: string, errorMessage: string): InvokeResult {
  return {
    functionError: 'Unhandled',
    payload: {
      errorType,
      errorMessage,
      trace: [`${errorType}: ${errorMessage}`, '    at handler (index.js:1:1)'],
    },
  };
}
