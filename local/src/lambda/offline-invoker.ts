import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { LOCAL_REGION, localCredentials } from '../cloud/endpoints';
import type { InvokeResult, LambdaInvoker } from './invoker';

/**
 * Invokes functions through the Lambda Invoke API that each service's serverless-offline serves,
 * so that every trigger goes through the same door as `aws lambda invoke`.
 */
export function createOfflineInvoker(
  lambdaEndpointOf: (functionName: string) => string | undefined,
  /** Called when an invocation has returned, whatever its outcome. */
  onReturned: (functionName: string) => void = () => undefined,
): LambdaInvoker {
  const clients = new Map<string, LambdaClient>();
  const clientFor = (endpoint: string) => {
    let client = clients.get(endpoint);
    if (client === undefined) {
      // One attempt: retrying is the trigger's decision (each has its own AWS semantics).
      client = new LambdaClient({
        endpoint,
        region: LOCAL_REGION,
        credentials: localCredentials(),
        maxAttempts: 1,
      });
      // serverless-offline checks no signature, and SigV4's SHA-256 of every payload (events up to 6 MB)
      // cost 0.46 s of the cloud's CPU over the telemetry bench: the payload is declared unsigned, a
      // value the signer takes as it is (the rest of the request is still signed).
      client.middlewareStack.add(
        (next) => (args) => {
          const request = args.request as { headers?: Record<string, string> };
          if (request.headers !== undefined) request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
          return next(args);
        },
        { step: 'build', name: 'localUnsignedPayload' },
      );
      clients.set(endpoint, client);
    }
    return client;
  };
  return {
    async invoke(functionName, payload): Promise<InvokeResult> {
      const endpoint = lambdaEndpointOf(functionName);
      if (endpoint === undefined) throw new Error(`no local service serves function ${functionName}`);
      const response = await clientFor(endpoint)
        .send(
          new InvokeCommand({
            FunctionName: functionName,
            InvocationType: 'RequestResponse',
            Payload: new TextEncoder().encode(JSON.stringify(payload)),
          }),
        )
        .finally(() => onReturned(functionName));
      const text = response.Payload ? new TextDecoder().decode(response.Payload) : '';
      const parsed = text === '' ? undefined : parseJson(text);
      const payloadBytes = response.Payload?.byteLength ?? 0;
      return response.FunctionError
        ? { payload: parsed, functionError: response.FunctionError, payloadBytes }
        : { payload: parsed, payloadBytes };
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
