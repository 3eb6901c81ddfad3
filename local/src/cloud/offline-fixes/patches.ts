import { pathToFileURL } from 'node:url';

// Where serverless-offline 14 (and serverless-esbuild under it) differ from API Gateway and Lambda in
// ways the platform relies on, each corrected by rewriting one module's source as it loads
// (../offline-fixes.mjs registers the hook). When a fix no longer finds the source it expects (the
// package changed), the module is left as it is and a warning names the fix.

export interface SourceFix {
  /** The end of the module's URL. */
  target: string;
  /** What the fix corrects, for the warning. */
  why: string;
  /** The patched source, or undefined when the source is not the expected one. */
  patch(source: string): string | undefined;
}

const fixUrl = (name: string) => pathToFileURL(`${import.meta.dirname}/${name}`).href;

/** A patch that makes every replacement, or none when one of them is not found. */
function replacing(replacements: readonly (readonly [from: string, to: string])[]) {
  return (source: string): string | undefined => {
    let patched = source;
    for (const [from, to] of replacements) {
      if (!patched.includes(from)) return undefined;
      patched = patched.replace(from, to);
    }
    return patched;
  };
}

// API Gateway hands a proxy integration the body exactly as the client sent it (base64 for binary
// media types). serverless-offline parses a JSON body and falls back to the text only when the parsed
// value is truthy, so `false`, `0`, `null` and `""` reached the function as a boolean, a number, null
// or null. The raw text, when there is one, is now the body; binary bodies still become base64 below.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format
const RAW_BODY = replacing([
  [
    'let body = this.#request.payload',
    'let body = typeof this.#request.rawPayload === "string" && this.#request.rawPayload !== "" ? this.#request.rawPayload : this.#request.payload',
  ],
]);

// serverless-offline lets any caller replace the authorizer's context with the JSON of a request
// header, sls-offline-authorizer-override: a signed-in person who sent {"userId": "<another sub>"}
// read another person's devices. API Gateway has no such header: the context is the authorizer's
// own output, whatever the request carries. The header is now an ordinary header (the front door
// drops it as well).
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html
const NO_AUTHORIZER_OVERRIDE = replacing([
  [
    'if (headers["sls-offline-authorizer-override"]) {',
    'if (false /* sls-offline-authorizer-override: API Gateway has no such header */) {',
  ],
]);

export const OFFLINE_FIXES: readonly SourceFix[] = [
  // serverless-offline serves an aws_iam route to anyone (it warns that it does not support IAM), and
  // fills requestContext.identity from request headers. A route with authorizer: aws_iam now answers
  // API Gateway's 403 unless the front door checked the signature and the role's policy and vouched
  // for the identity, which alone fills requestContext.identity (iam-identity.ts).
  // https://docs.aws.amazon.com/apigateway/latest/developerguide/permissions.html
  {
    target: '/serverless-offline/src/events/http/HttpServer.js',
    why: 'aws_iam routes checked by the front door',
    patch: (source) => {
      const anchor = '      // check for APIKey\n';
      if (!source.includes(anchor)) return undefined;
      return `import { iamGate as __iamGate } from ${JSON.stringify(fixUrl('iam-identity.ts'))}\n${source.replace(
        anchor,
        `      const __iamRefusal = __iamGate(endpoint, request)
      if (__iamRefusal !== undefined) {
        return h.response(__iamRefusal.body).code(__iamRefusal.statusCode).header("x-amzn-ErrorType", __iamRefusal.errorType).type("application/json")
      }
${anchor}`,
      )}`;
    },
  },
  {
    target: '/serverless-offline/src/events/http/lambda-events/LambdaProxyIntegrationEvent.js',
    why: 'requestContext.identity only from IAM authorization',
    patch: (source) => {
      const patched = replacing([
        [
          '        identity: {\n          accessKey: null,',
          '        identity: __withIamIdentity(this.#request, {\n          accessKey: null,',
        ],
        [
          '          userArn: "offlineContext_userArn",\n        },',
          '          userArn: "offlineContext_userArn",\n        }),',
        ],
      ])(source);
      return patched === undefined
        ? undefined
        : `import { withIamIdentity as __withIamIdentity } from ${JSON.stringify(fixUrl('iam-identity.ts'))}\n${patched}`;
    },
  },
  {
    // The authorizer's methodArn is built from the route template (/devices/{deviceId}/telemetry)
    // where API Gateway uses the request's path (/devices/d-42/telemetry), so a policy scoped to one
    // device's route could never match.
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html
    target: '/serverless-offline/src/events/http/createAuthScheme.js',
    why: 'methodArn from the request path',
    patch: replacing([
      ['const resourcePath = request.route.path.replace(', 'const resourcePath = request.path.replace('],
    ]),
  },
  {
    // API Gateway caches an authorizer's policy per identity source for resultTtlInSeconds;
    // serverless-offline runs the authorizer on every request (authorizer-cache.ts).
    target: '/serverless-offline/src/events/http/createAuthScheme.js',
    why: 'authorizer result cache',
    patch: replacing([
      [
        'export default function createAuthScheme(authorizerOptions, provider, lambda) {',
        `import { cachedAuthorizer as __cachedAuthorizer } from ${JSON.stringify(fixUrl('authorizer-cache.ts'))}
export default function createAuthScheme(authorizerOptions, provider, lambda) {
  lambda = __cachedAuthorizer(authorizerOptions, lambda)`,
      ],
    ]),
  },
  {
    // Execution environments reused warm, at most LOCAL_LAMBDA_CONCURRENCY per function, the other
    // invocations waiting for one (execution-environments.ts).
    target: '/serverless-offline/src/lambda/LambdaFunctionPool.js',
    why: 'execution environments reused, bounded per function',
    patch: (source) => {
      const expected = ['export default class LambdaFunctionPool', 'get(functionKey, functionDefinition)'];
      if (!expected.every((text) => source.includes(text))) return undefined;
      return `import { availableParallelism } from "node:os"
import LambdaFunction from "./LambdaFunction.js"
import { ExecutionEnvironmentPool, concurrencyFrom } from ${JSON.stringify(fixUrl('execution-environments.ts'))}
export default class LambdaFunctionPool extends ExecutionEnvironmentPool {
  constructor(serverless, options) {
    super({
      create: (functionKey, functionDefinition) =>
        new LambdaFunction(functionKey, functionDefinition, serverless, options),
      concurrency: concurrencyFrom(process.env.LOCAL_LAMBDA_CONCURRENCY, availableParallelism()),
      idleTimeoutMs: Number(options.terminateIdleLambdaTime) * 1000,
      reuse: !options.reloadHandler,
    })
  }
}
`;
    },
  },
  // Lambda reports a function's uncaught error with its name as errorType, and Step Functions matches
  // Retry and Catch on it (a Rekognition InternalServerError, a ValidationError...). serverless-offline
  // loses the name twice: the worker thread posts the Error through a structured clone, which keeps
  // only the standard names, and the Invoke API then writes "Error" whatever it was given.
  // https://docs.aws.amazon.com/lambda/latest/dg/nodejs-exceptions.html
  {
    target: '/serverless-offline/src/lambda/handler-runner/worker-thread-runner/workerThreadHelper.js',
    why: "the error's name crosses the worker thread",
    patch: replacing([
      [
        '    port.postMessage(err)\n',
        '    port.postMessage(err instanceof Error ? { lambdaError: { name: err.name, message: err.message, stack: err.stack } } : err)\n',
      ],
    ]),
  },
  {
    target: '/serverless-offline/src/lambda/handler-runner/worker-thread-runner/WorkerThreadRunner.js',
    why: "the error's name crosses the worker thread",
    patch: replacing([
      [
        '          if (value instanceof Error) {',
        `          if (value !== null && typeof value === "object" && "lambdaError" in value) {
            rej(Object.assign(new Error(value.lambdaError.message), value.lambdaError))
            return
          }
          if (value instanceof Error) {`,
      ],
    ]),
  },
  {
    // Lambda loads a function's code once per execution environment, at its cold start. serverless-
    // offline resolved the handler again on every invocation (file checks and a walk up the folders
    // reading package.json), and copied the worker's environment onto itself: most of what a warm
    // invocation cost beyond the handler. The module is still loaded in the environment, once.
    // https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html#runtimes-lifecycle-ib
    target: '/serverless-offline/src/lambda/handler-runner/in-process-runner/InProcessRunner.js',
    why: 'the handler resolved once per execution environment',
    patch: replacing([
      ['  #handler = null\n', '  #handler = null\n\n  #loaded = null\n'],
      // In a worker thread the runner's env is the thread's own process.env: nothing to copy.
      [
        '    assign(process.env, this.#env)\n',
        '    if (this.#env !== process.env) assign(process.env, this.#env)\n',
      ],
      [
        `    const handler = await load(
      this.#servicePath,
      join(this.#codeDir, this.#handler),
    )`,
        `    this.#loaded ??= load(this.#servicePath, join(this.#codeDir, this.#handler)).catch((error) => {
      this.#loaded = null
      throw error
    })
    const handler = await this.#loaded`,
      ],
    ]),
  },
  {
    // Lambda writes a REPORT line after every invocation: duration, billed duration, memory size and the
    // most memory used, which npm run rightsize reads. The worker measures and prints the same line
    // (invocation-report.ts).
    // https://docs.aws.amazon.com/lambda/latest/dg/nodejs-logging.html#node-logging-output
    target: '/serverless-offline/src/lambda/handler-runner/worker-thread-runner/workerThreadHelper.js',
    why: "each invocation's REPORT line",
    patch: (source) => {
      const patched = replacing([
        [
          '    result = await inProcessRunner.run(event, context)\n',
          '    result = await __reportedInvocation(() => inProcessRunner.run(event, context), context)\n',
        ],
      ])(source);
      return patched === undefined
        ? undefined
        : `import { reportedInvocation as __reportedInvocation } from ${JSON.stringify(fixUrl('invocation-report.ts'))}\n${patched}`;
    },
  },
  {
    // Lambda reports loading the code at a cold start apart, as Init Duration, and not in Duration. This
    // fix applies to the source as the one above left it (the handler loaded once per environment).
    // https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html#runtimes-lifecycle-ib
    target: '/serverless-offline/src/lambda/handler-runner/in-process-runner/InProcessRunner.js',
    why: "the cold start's Init Duration",
    patch: (source) => {
      const patched = replacing([
        [
          '    this.#loaded ??= load(this.#servicePath, join(this.#codeDir, this.#handler)).catch(',
          '    this.#loaded ??= __timedInit(() => load(this.#servicePath, join(this.#codeDir, this.#handler))).catch(',
        ],
      ])(source);
      return patched === undefined
        ? undefined
        : `import { timedInit as __timedInit } from ${JSON.stringify(fixUrl('invocation-report.ts'))}\n${patched}`;
    },
  },
  {
    // Lambda keeps each function's output in its own log group; serverless-offline's workers all write
    // into one stream. Each worker's output is labelled with its function (function-output.ts).
    target: '/serverless-offline/src/lambda/handler-runner/worker-thread-runner/WorkerThreadRunner.js',
    why: "each function's output labelled with its name",
    patch: replacing([
      [
        'import { join } from "desm"\n',
        `import { join } from "desm"\nimport { labelFunctionOutput as __labelFunctionOutput } from ${JSON.stringify(fixUrl('function-output.ts'))}\n`,
      ],
      [
        '        env,\n        workerData: {',
        '        env,\n        stdout: true,\n        stderr: true,\n        workerData: {',
      ],
      [
        '      },\n    )\n  }\n',
        '      },\n    )\n    __labelFunctionOutput(this.#workerThread, funOptions.functionName)\n  }\n',
      ],
    ]),
  },
  {
    target: '/serverless-offline/src/lambda/routes/invocations/InvocationsController.js',
    why: "errorType is the error's name",
    patch: replacing([['            errorType: "Error",', '            errorType: err.name || "Error",']]),
  },
  {
    target: '/serverless-offline/src/events/http/HttpServer.js',
    why: 'no authorizer context from a request header',
    patch: replacing([
      ['request.headers["sls-offline-authorizer-override"] || env.AUTHORIZER', 'env.AUTHORIZER'],
    ]),
  },
  {
    target: '/serverless-offline/src/events/http/lambda-events/LambdaProxyIntegrationEvent.js',
    why: 'no authorizer context from a request header, REST API',
    patch: NO_AUTHORIZER_OVERRIDE,
  },
  {
    target: '/serverless-offline/src/events/http/lambda-events/LambdaProxyIntegrationEventV2.js',
    why: 'no authorizer context from a request header, HTTP API',
    patch: NO_AUTHORIZER_OVERRIDE,
  },
  {
    target: '/serverless-offline/src/events/http/lambda-events/LambdaProxyIntegrationEvent.js',
    why: 'the raw body, as API Gateway passes it (REST API)',
    patch: RAW_BODY,
  },
  {
    target: '/serverless-offline/src/events/http/lambda-events/LambdaProxyIntegrationEventV2.js',
    why: 'the raw body, as API Gateway passes it (HTTP API)',
    patch: RAW_BODY,
  },
  {
    // serverless-esbuild's file watcher ignores its default work folder (.esbuild) but not the one
    // configured (outputWorkFolder): every local cloud bundles into its own .esbuild-<name> in each
    // service, so one cloud starting made every other running cloud bundle all its functions again
    // and drop their warm execution environments. Bundles are outputs, never sources to watch.
    target: '/serverless-esbuild/dist/index.js',
    why: 'the watcher ignores every esbuild work folder',
    patch: replacing([
      ['ignored: allIgnored,', String.raw`ignored: [...allIgnored, /(^|[\\/])\.esbuild[^\\/]*([\\/]|$)/],`],
    ]),
  },
  // The local cloud's packaging and serverless-offline share one set of bundles (package-services.ts):
  // `sls package` keeps the bundles it zipped, and serverless-offline starts on them rather than
  // bundling every function a second time; its watcher still rebuilds them when a source changes.
  {
    target: '/serverless-esbuild/dist/index.js',
    why: 'the packaged bundles are kept for serverless-offline',
    patch: replacing([
      [
        'if (!this.buildOptions?.keepOutputDirectory) {',
        'if (!this.buildOptions?.keepOutputDirectory && process.env.LOCAL_CLOUD_KEEP_BUNDLES !== "true") {',
      ],
    ]),
  },
  {
    target: '/serverless-esbuild/dist/index.js',
    why: 'serverless-offline starts on the packaged bundles',
    patch: replacing([
      [
        "this.log.verbose('before:offline:start:init');\n                await this.bundle();",
        'this.log.verbose(\'before:offline:start:init\');\n                if (process.env.LOCAL_CLOUD_PREBUILT_BUNDLES === "true") this.prepare(); else await this.bundle();',
      ],
    ]),
  },
];

/** The module's source with the fixes that target it; `warn` hears of each one that no longer applies. */
export function applyFixes(
  url: string,
  source: string,
  warn: (message: string) => void,
  fixes: readonly SourceFix[] = OFFLINE_FIXES,
): string {
  let patched = source;
  for (const fix of fixes) {
    if (!url.endsWith(fix.target)) continue;
    const result = fix.patch(patched);
    if (result === undefined) warn(`${fix.target} changed: the fix "${fix.why}" no longer applies`);
    else patched = result;
  }
  return patched;
}

/** Whether any fix targets the module (most modules are not read as text at all). */
export function isFixed(url: string, fixes: readonly SourceFix[] = OFFLINE_FIXES): boolean {
  return fixes.some(({ target }) => url.endsWith(target));
}
