// API Gateway's authorizer result cache, which serverless-offline 14 does not have: it runs the
// authorizer function for every request. API Gateway keeps the policy a Lambda authorizer returns for
// resultTtlInSeconds (0: no cache), under the token for a TOKEN authorizer and under the values of all
// its identity sources for a REQUEST authorizer, and evaluates the kept policy against each request's
// method ARN: a cached Deny still denies, and a policy naming one route denies the others.
// serverless-offline's createAuthScheme is patched (../offline-fixes.mjs) to invoke the authorizer
// through `cachedAuthorizer`, so its own policy evaluation runs on every request as before.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html
// https://docs.aws.amazon.com/apigateway/latest/developerguide/configure-api-gateway-lambda-authorization.html

/** The options serverless-offline gives createAuthScheme (from the http event's `authorizer`). */
export interface AuthorizerOptions {
  /** The authorizer function's key in serverless.yml. */
  name: string;
  /** 'token' (default) or 'request'. */
  type?: string;
  /** 'method.request.header.Authorization', comma-separated for several. */
  identitySource?: string;
  /** Seconds; serverless-offline passes the string "300" when serverless.yml says nothing. */
  resultTtlInSeconds?: number | string;
}

/** serverless-offline's `lambda` as createAuthScheme uses it: get, setEvent, runHandler. */
export interface AuthorizerFunctions {
  get(functionKey: string): {
    setEvent(event: unknown): void;
    runHandler(): Promise<unknown>;
  };
}

/** The fields of the authorizer event (payload 1.0 or 2.0) that identity sources name. */
export interface AuthorizerEvent {
  type?: string;
  authorizationToken?: string;
  headers?: Record<string, string | undefined> | null;
  queryStringParameters?: Record<string, string | undefined> | null;
  stageVariables?: Record<string, string | undefined> | null;
  requestContext?: Record<string, unknown> | null;
}

/** The longest TTL API Gateway accepts. */
const MAX_TTL_SECONDS = 3600;

export function ttlSecondsOf(options: AuthorizerOptions): number {
  const ttl = Number(options.resultTtlInSeconds ?? 300);
  return Number.isFinite(ttl) && ttl > 0 ? Math.min(ttl, MAX_TTL_SECONDS) : 0;
}

/**
 * The cache key of a request, or undefined when it must not be cached: a TOKEN authorizer's token; a
 * REQUEST authorizer's identity source values, every one of which must be present.
 */
export function cacheKeyOf(options: AuthorizerOptions, event: AuthorizerEvent): string | undefined {
  if (event.type !== 'REQUEST') {
    return typeof event.authorizationToken === 'string' ? event.authorizationToken : undefined;
  }
  const sources = (options.identitySource ?? '')
    .split(',')
    .map((source) => source.trim())
    .filter((source) => source !== '');
  if (sources.length === 0) return undefined;
  const values: string[] = [];
  for (const source of sources) {
    const value = identitySourceValue(source, event);
    if (value === undefined || value === '') return undefined;
    values.push(value);
  }
  return JSON.stringify(values);
}

function identitySourceValue(source: string, event: AuthorizerEvent): string | undefined {
  // REST APIs write method.request.header.X, HTTP APIs $request.header.X.
  const match = /^(?:method\.request|\$request)\.(header|querystring)\.(.+)$/.exec(source);
  if (match) {
    const [, where, name = ''] = match;
    if (where === 'header') return headerValue(event.headers, name);
    return event.queryStringParameters?.[name] ?? undefined;
  }
  const stageVariable = /^\$?stageVariables\.(.+)$/.exec(source);
  if (stageVariable) return event.stageVariables?.[stageVariable[1] ?? ''] ?? undefined;
  const context = /^\$?context\.(.+)$/.exec(source);
  if (context) {
    const value = event.requestContext?.[context[1] ?? ''];
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

function headerValue(headers: AuthorizerEvent['headers'], name: string): string | undefined {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/** A policy (or an HTTP API simple response) the authorizer returned: what API Gateway caches. */
function isCacheable(result: unknown): result is object {
  return typeof result === 'object' && result !== null;
}

interface Entry {
  result: object;
  expiresAt: number;
}

export interface AuthorizerCache {
  /** `lambda`, with the authorizer function's invocations answered from the cache when they can be. */
  wrap(options: AuthorizerOptions, lambda: AuthorizerFunctions): AuthorizerFunctions;
  /** Authorizer invocations answered from the cache so far. */
  readonly hits: number;
}

export function createAuthorizerCache(clock: { now(): number } = Date): AuthorizerCache {
  // One cache per authorizer, shared by every route that uses it, as in API Gateway.
  const entries = new Map<string, Map<string, Entry>>();
  let hits = 0;

  function entriesOf(authorizer: string): Map<string, Entry> {
    let found = entries.get(authorizer);
    if (found === undefined) {
      found = new Map();
      entries.set(authorizer, found);
    }
    return found;
  }

  return {
    get hits() {
      return hits;
    },
    wrap(options, lambda) {
      const ttlMs = ttlSecondsOf(options) * 1000;
      if (ttlMs === 0) return lambda;
      const cache = entriesOf(options.name);
      return {
        get(functionKey) {
          let event: AuthorizerEvent = {};
          return {
            setEvent(value) {
              event = value as AuthorizerEvent;
            },
            async runHandler() {
              const key = cacheKeyOf(options, event);
              const now = clock.now();
              const cached = key === undefined ? undefined : cache.get(key);
              if (cached !== undefined && cached.expiresAt > now) {
                hits += 1;
                // A copy: serverless-offline rewrites the result's context in place.
                return structuredClone(cached.result);
              }
              if (cached !== undefined && key !== undefined) cache.delete(key);
              const invocation = lambda.get(functionKey);
              invocation.setEvent(event);
              // Errors (a thrown "Unauthorized" included) are not policies and are not kept.
              const result = await invocation.runHandler();
              if (key !== undefined && isCacheable(result)) {
                cache.set(key, { result: structuredClone(result), expiresAt: clock.now() + ttlMs });
                removeExpired(cache, clock.now());
              }
              return result;
            },
          };
        },
      };
    },
  };
}

/** Keeps the cache from growing with tokens that are never seen again. */
function removeExpired(cache: Map<string, Entry>, now: number): void {
  if (cache.size < 1_000) return;
  for (const [key, entry] of cache) if (entry.expiresAt <= now) cache.delete(key);
}

const shared = createAuthorizerCache();

/** The cache of this serverless-offline process (one API), for the patched createAuthScheme. */
export function cachedAuthorizer(
  options: AuthorizerOptions,
  lambda: AuthorizerFunctions,
): AuthorizerFunctions {
  return shared.wrap(options, lambda);
}
