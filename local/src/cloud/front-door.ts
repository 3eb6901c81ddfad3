import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type ServerResponse,
} from 'node:http';
import { extname, join, relative, resolve, sep } from 'node:path';
import {
  buildPortal,
  cacheControlOf,
  contentTypeOf,
  type PortalConfig,
  portalConfigFrom,
} from '@serverless-patterns/serverless-plugin/portal-contract.cjs';
import { RequestBodyTooLargeError, readRequestBody } from '../emulators/aws-json';
import {
  closeHttpServer,
  endpointFor,
  findFreePort,
  LOOPBACK,
  listenOnLoopback,
} from '../emulators/emulator';
import type { CloudDescription } from './cloud-description';
import { routesFrom } from './front-door-routes';
import { authorizeIamRequest, type IamApi, type IamAuthority, iamMethodOf } from './iam-authorization';
import { IDENTITY_REQUEST_HEADERS } from './offline-fixes/iam-identity';

/**
 * The local cloud's front door: one origin that plays CloudFront (the portal at `/`) and the API's
 * custom domain (one base-path mapping per service), so that the browser talks to a single origin
 * locally as it does in AWS.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-mappings.html
 */

export interface FrontDoorRoute {
  /** '/images' (stripped before the request is forwarded), or '' for the mapping at the domain's root. */
  basePath: string;
  /** http://127.0.0.1:PORT */
  target: string;
  /** For the root mapping: the top-level path segments it owns ('devices', 'me'). */
  paths?: string[];
  /** Its IAM-authorized methods, which the front door authorizes as API Gateway does. */
  iam?: IamApi;
}

export interface FrontDoorOptions {
  port: number;
  /** The built portal (index.html and its assets). */
  portalDir: string;
  routes: FrontDoorRoute[];
  /** Served as /config.json; a cloud without the portal's stack has none. */
  config: PortalConfig | undefined;
  /** cognito-local, reached through `/cognito` so that the browser needs no CORS to it. */
  cognitoTarget?: string;
  /** The local Cognito Identity, reached through `/cognito-identity`, likewise. */
  cognitoIdentityTarget?: string;
  /** Resolves credentials and role policies for the routes' IAM-authorized methods. */
  iamAuthority?: IamAuthority;
  /** Sent with the portal's files and config.json, as CloudFront's response headers policy adds them. */
  portalHeaders?: Readonly<Record<string, string>>;
}

export interface RunningFrontDoor {
  url: string;
  stop(): Promise<void>;
}

export { apiMappingOf, routesFrom } from './front-door-routes';

export const COGNITO_PATH = '/cognito';
export const COGNITO_IDENTITY_PATH = '/cognito-identity';
/** API Gateway's payload limit. */
const MAX_IAM_BODY_BYTES = 10 * 1024 * 1024;

// Connection-level headers belong to one hop and are never forwarded (RFC 9110, section 7.6.1).
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

// serverless-offline takes this header's JSON as the authorizer's context, a back door API Gateway
// does not have. The offline fixes close it in serverless-offline; the front door drops it as well,
// so that no request through the custom domain's counterpart carries it to a service.
// The identity headers are the front door's own word to serverless-offline after IAM authorization
// (offline-fixes/iam-identity.ts): a client's are dropped, whatever the route.
const DROPPED_REQUEST_HEADERS = new Set([
  ...HOP_BY_HOP,
  'sls-offline-authorizer-override',
  ...IDENTITY_REQUEST_HEADERS,
]);

export async function startFrontDoor(options: FrontDoorOptions): Promise<RunningFrontDoor> {
  const portalRoot = resolve(options.portalDir);
  const routes = [
    ...(options.cognitoTarget ? [{ basePath: COGNITO_PATH, target: options.cognitoTarget }] : []),
    ...(options.cognitoIdentityTarget
      ? [{ basePath: COGNITO_IDENTITY_PATH, target: options.cognitoIdentityTarget }]
      : []),
    ...options.routes,
  ];
  const configBody = options.config === undefined ? undefined : JSON.stringify(options.config);
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const query = queryAt === -1 ? '' : url.slice(queryAt);
    if (path === '/config.json') {
      if (configBody === undefined)
        sendError(res, 404, 'NOT_FOUND', 'No service of this cloud declares the portal');
      else
        send(
          res,
          200,
          configBody,
          { ...options.portalHeaders, 'content-type': 'application/json', 'cache-control': 'no-store' },
          req,
        );
      return;
    }
    const forwarded = forwardedPath(routes, path);
    if (forwarded !== undefined) {
      const { iam } = forwarded.route;
      if (iam !== undefined && iamMethodOf(iam, req.method ?? 'GET', forwarded.path) !== undefined) {
        proxyAuthorized(req, res, { iam, authority: options.iamAuthority, path, query, forwarded }).catch(
          (error: unknown) => {
            if (res.headersSent) res.destroy();
            else sendError(res, 500, 'INTERNAL', `IAM authorization failed: ${String(error)}`);
          },
        );
        return;
      }
      proxy(req, res, forwarded.route.target, `${forwarded.path}${query}`);
      return;
    }
    serveStatic(req, res, portalRoot, path, options.portalHeaders ?? {}).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else sendError(res, 500, 'INTERNAL', `The portal could not be served: ${String(error)}`);
    });
  });
  const port = await listenOnLoopback(server, options.port, 'the front door');
  return { url: endpointFor(port), stop: () => closeHttpServer(server) };
}

/** The route that owns `path` and the path its target sees, as API Gateway's base-path mappings decide. */
export function forwardedPath(
  routes: readonly FrontDoorRoute[],
  path: string,
): { route: FrontDoorRoute; path: string } | undefined {
  for (const route of routes) {
    if (route.basePath === '') continue;
    if (path === route.basePath || path.startsWith(`${route.basePath}/`)) {
      return { route, path: path.slice(route.basePath.length) || '/' };
    }
  }
  const firstSegment = path.split('/')[1] ?? '';
  const root = routes.find((route) => route.basePath === '' && route.paths?.includes(firstSegment));
  return root === undefined ? undefined : { route: root, path };
}

/**
 * An IAM-authorized method: the whole body is read (the signature covers it), the request authorized as
 * API Gateway would (iam-authorization.ts), and then forwarded with the identity vouched for, or refused.
 * Without an authority (no Cognito Identity running) every such request is refused as unsigned.
 */
async function proxyAuthorized(
  req: IncomingMessage,
  res: ServerResponse,
  context: {
    iam: IamApi;
    authority: IamAuthority | undefined;
    path: string;
    query: string;
    forwarded: { route: FrontDoorRoute; path: string };
  },
): Promise<void> {
  const { iam, authority, path, query, forwarded } = context;
  let body: Buffer;
  try {
    body = await readRequestBody(req, MAX_IAM_BODY_BYTES);
  } catch (error) {
    if (!(error instanceof RequestBodyTooLargeError)) throw error;
    send(res, 413, JSON.stringify({ message: 'Request Too Long' }), { 'content-type': 'application/json' });
    return;
  }
  const url = `${forwarded.path}${query}`;
  const decision =
    authority === undefined
      ? undefined
      : await authorizeIamRequest(
          iam,
          authority,
          { method: req.method ?? 'GET', path, query: query.replace(/^\?/, ''), headers: req.headers, body },
          { path: forwarded.path, url },
        );
  if (decision === undefined || 'refused' in decision) {
    const refused = decision?.refused ?? {
      statusCode: 403,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'Missing Authentication Token' }),
    };
    send(res, refused.statusCode, refused.body, refused.headers, req);
    return;
  }
  proxy(req, res, forwarded.route.target, url, { headers: decision.headers, body });
}

function proxy(
  req: IncomingMessage,
  res: ServerResponse,
  target: string,
  path: string,
  authorized?: { headers: Record<string, string>; body: Buffer },
): void {
  const targetUrl = new URL(target);
  const headers = { ...without(req.headers, DROPPED_REQUEST_HEADERS), ...authorized?.headers };
  headers['x-forwarded-for'] = req.socket.remoteAddress ?? LOOPBACK;
  headers['x-forwarded-proto'] = 'http';
  if (req.headers.host !== undefined) headers['x-forwarded-host'] = req.headers.host;
  const upstream = request(
    { hostname: targetUrl.hostname, port: targetUrl.port, method: req.method, path, headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, without(answer.headers, HOP_BY_HOP));
      answer.pipe(res);
      answer.once('error', () => res.destroy());
    },
  );
  upstream.once('error', (error: NodeJS.ErrnoException) => {
    if (res.headersSent) res.destroy();
    else {
      const why = error.code ?? error.message;
      sendError(
        res,
        502,
        'BAD_GATEWAY',
        `${targetUrl.origin} did not answer (${why}): is the service running?`,
      );
    }
  });
  // A browser that gives up (a closed tab) stops the request to the service as well.
  res.once('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  if (authorized === undefined) req.pipe(upstream);
  else upstream.end(authorized.body);
}

async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  root: string,
  rawPath: string,
  portalHeaders: Readonly<Record<string, string>>,
) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendError(res, 405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed here`, { allow: 'GET, HEAD' });
    return;
  }
  const file = fileWithin(root, rawPath);
  if (file === undefined) {
    sendError(res, 404, 'NOT_FOUND', 'Not found');
    return;
  }
  const found = await fileStat(file);
  if (found?.isFile()) {
    streamFile(req, res, root, file, found.size, portalHeaders);
    return;
  }
  // The portal routes in the browser: a page address (no file extension) gets the application,
  // a missing asset a 404, so that a broken build shows up as one.
  if (extname(rawPath) !== '') {
    sendError(res, 404, 'NOT_FOUND', 'Not found');
    return;
  }
  const index = join(root, 'index.html');
  const indexStat = await fileStat(index);
  if (!indexStat?.isFile()) {
    sendError(res, 503, 'PORTAL_NOT_BUILT', `The portal is not built: ${index} is missing`);
    return;
  }
  streamFile(req, res, root, index, indexStat.size, portalHeaders);
}

/** The file a URL path names inside `root`, or undefined when it would leave `root` or cannot be decoded. */
export function fileWithin(root: string, rawPath: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
  // Decoded separators and dot segments (%2f, %5c, %2e%2e) never reach the file system.
  if (path.includes('\0') || path.includes('\\')) return undefined;
  if (path.split('/').some((segment) => segment === '..')) return undefined;
  const file = resolve(root, `.${path.endsWith('/') ? `${path}index.html` : path}`);
  return file.startsWith(`${root}${sep}`) ? file : undefined;
}

function streamFile(
  req: IncomingMessage,
  res: ServerResponse,
  root: string,
  file: string,
  size: number,
  portalHeaders: Readonly<Record<string, string>>,
): void {
  // The same headers as the portal's files get in S3 (portal-contract.cjs), and CloudFront's policy's.
  const key = relative(root, file).split(sep).join('/');
  res.writeHead(200, {
    ...portalHeaders,
    'content-type': contentTypeOf(key),
    'content-length': size,
    'cache-control': cacheControlOf(key),
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file)
    .once('error', () => res.destroy())
    .pipe(res);
}

function fileStat(file: string) {
  return stat(file).catch(() => undefined);
}

function without(headers: IncomingHttpHeaders, dropped: ReadonlySet<string>): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !dropped.has(name)));
}

function send(
  res: ServerResponse,
  statusCode: number,
  body: string,
  headers: Record<string, string>,
  req?: IncomingMessage,
): void {
  res.writeHead(statusCode, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(req?.method === 'HEAD' ? undefined : body);
}

/** Errors in the API's own shape, so that the portal shows them like any other. */
function sendError(
  res: ServerResponse,
  statusCode: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  send(res, statusCode, JSON.stringify({ error: { code, message } }), {
    ...headers,
    'content-type': 'application/json',
  });
}

/**
 * The local cloud's front door: builds the portal, maps every service's API as the custom domain
 * would, and configures the portal from the outputs of the service that declares it (the one with a
 * PortalBucketName output, as the deploy step reads them), with Cognito reached through `/cognito`.
 */
export async function startCloudFrontDoor(options: {
  /** services/api/web: the portal's sources. */
  webDir: string;
  /** Where this cloud's build of the portal goes. */
  portalDir: string;
  services: CloudDescription['services'];
  cognitoEndpoint: string;
  /** The local Cognito Identity, and IAM authorization of the services' aws_iam methods. */
  cognitoIdentityEndpoint?: string;
  iam?: { apis: Readonly<Record<string, IamApi>>; authority: IamAuthority };
  /** CloudFront's response headers for the portal (portal-headers.ts). */
  portalHeaders?: Readonly<Record<string, string>>;
  region: string;
  preferredPort?: number;
  log?: (line: string) => void;
}): Promise<RunningFrontDoor> {
  options.log?.(`building the portal (${options.webDir})`);
  // Each local cloud builds into its own folder, so that two clouds never rebuild the same files
  // under each other; it takes about a second, so every start builds it afresh.
  await buildPortal(options.webDir, options.portalDir);
  const port = await findFreePort(options.preferredPort);
  const portal = Object.values(options.services).find((service) => service.outputs.PortalBucketName);
  const config =
    portal === undefined
      ? undefined
      : portalConfigFrom(portal.outputs, {
          region: options.region,
          cognitoEndpoint: `${endpointFor(port)}${COGNITO_PATH}`,
          cognitoIdentityEndpoint: `${endpointFor(port)}${COGNITO_IDENTITY_PATH}`,
          apiBaseUrl: portal.basePath ?? '',
        });
  return startFrontDoor({
    port,
    portalDir: options.portalDir,
    routes: routesFrom(options.services, options.iam?.apis),
    config,
    cognitoTarget: options.cognitoEndpoint,
    ...(options.cognitoIdentityEndpoint === undefined
      ? {}
      : { cognitoIdentityTarget: options.cognitoIdentityEndpoint }),
    ...(options.iam === undefined ? {} : { iamAuthority: options.iam.authority }),
    ...(options.portalHeaders === undefined ? {} : { portalHeaders: options.portalHeaders }),
  });
}
