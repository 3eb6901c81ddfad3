import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type PortalConfig,
  portalConfigFrom,
} from '@serverless-patterns/serverless-plugin/portal-contract.cjs';
import { expect } from 'chai';
import {
  apiMappingOf,
  type FrontDoorRoute,
  type RunningFrontDoor,
  routesFrom,
  startFrontDoor,
} from '../../src/cloud/front-door';
import { closeHttpServer, findFreePort } from '../../src/emulators/emulator';
import { type CloudFormationTemplate, createStack, type Stack } from '../../src/templates/stack';
import { rawRequest as send } from '../raw-request';

interface Echo {
  service: string;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A service that answers 201 with what it received, and a header and cookies of its own. */
async function startEcho(service: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const echo: Echo = {
        service,
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      res.writeHead(201, {
        'content-type': 'application/json',
        'x-served-by': service,
        'set-cookie': ['a=1', 'b=2'],
      });
      res.end(JSON.stringify(echo));
    });
  });
  const port = await findFreePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, server };
}

const SECRET = '{"name":"outside-the-portal"}';
const INDEX = '<!doctype html><title>portal</title><div id="app"></div>';

const PORTAL_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'",
  'x-frame-options': 'DENY',
};

describe('front door', () => {
  const config: PortalConfig = {
    region: 'us-east-1',
    userPoolId: 'us-east-1_pool',
    userPoolClientId: 'client',
    cognitoEndpoint: 'http://127.0.0.1:1/cognito',
    apiBaseUrl: '',
  };
  let tmp: string;
  let api: { url: string; server: Server };
  let images: { url: string; server: Server };
  let cognito: { url: string; server: Server };
  let frontDoor: RunningFrontDoor;

  before(async () => {
    // Prepare: a built portal, a file beside it that must stay out of reach, two services and
    // cognito-local's stand-in, and a service that is down (a port nobody listens on).
    tmp = await mkdtemp(join(tmpdir(), 'front-door-'));
    const portalDir = join(tmp, 'portal');
    await mkdir(join(portalDir, 'assets'), { recursive: true });
    await writeFile(join(portalDir, 'index.html'), INDEX);
    await writeFile(join(portalDir, 'assets', 'app-1234.js'), 'console.log("portal");');
    await writeFile(join(portalDir, 'assets', 'app-1234.css'), 'body{margin:0}');
    await writeFile(join(tmp, 'package.json'), SECRET);
    [api, images, cognito] = await Promise.all([startEcho('api'), startEcho('images'), startEcho('cognito')]);
    const down = `http://127.0.0.1:${await findFreePort()}`;
    const routes: FrontDoorRoute[] = [
      { basePath: '', target: api.url, paths: ['devices', 'me', 'admin'] },
      { basePath: '/images', target: images.url },
      { basePath: '/ops', target: down },
    ];
    frontDoor = await startFrontDoor({
      port: await findFreePort(),
      portalDir,
      routes,
      config,
      cognitoTarget: cognito.url,
      portalHeaders: PORTAL_HEADERS,
    });
  });

  after(async () => {
    await frontDoor.stop();
    await Promise.all([api, images, cognito].map(({ server }) => closeHttpServer(server)));
    await rm(tmp, { recursive: true, force: true });
  });

  describe('API routes, as the custom domain maps them', () => {
    it('forwards the root mapping its own top-level paths unchanged, body, status and headers included', async () => {
      const answer = await send(frontDoor.url, '/devices/d-1/token?rotate=yes', {
        method: 'POST',
        headers: { authorization: 'Bearer id-token', 'content-type': 'application/json' },
        body: '{"thresholdC":21.5}',
      });

      expect(answer.status).to.equal(201);
      expect(answer.headers['x-served-by']).to.equal('api');
      expect(answer.headers['set-cookie']).to.deep.equal(['a=1', 'b=2']);
      const echo = JSON.parse(answer.body) as Echo;
      expect(echo).to.include({ service: 'api', method: 'POST', url: '/devices/d-1/token?rotate=yes' });
      expect(echo.body).to.equal('{"thresholdC":21.5}');
      expect(echo.headers.authorization).to.equal('Bearer id-token');
    });

    it('sends CloudFront’s response headers with the portal’s files and config.json, not with the API’s answers', async () => {
      for (const path of ['/', '/assets/app-1234.js', '/devices-page', '/config.json']) {
        const answer = await send(frontDoor.url, path);
        expect(answer.status, path).to.equal(200);
        expect(answer.headers, path).to.include(PORTAL_HEADERS);
      }
      const fromApi = await send(frontDoor.url, '/devices/d-1');
      expect(fromApi.headers).not.to.have.property('content-security-policy');
    });

    it("drops identity headers a client sends (they are the front door's word after IAM authorization)", async () => {
      const answer = await send(frontDoor.url, '/devices/d-1', {
        headers: {
          'cognito-identity-id': 'us-east-1:someone-else',
          'cognito-authentication-provider': 'forged',
          'x-local-cloud-iam-identity': 'e30',
          'x-local-cloud-iam-proof': 'forged',
        },
      });

      const echo = JSON.parse(answer.body) as Echo;
      for (const name of [
        'cognito-identity-id',
        'cognito-authentication-provider',
        'x-local-cloud-iam-identity',
      ]) {
        expect(echo.headers, name).not.to.have.property(name);
      }
    });

    it("never forwards serverless-offline's authorizer override header, in any letter case", async () => {
      for (const name of ['sls-offline-authorizer-override', 'SLS-Offline-Authorizer-Override']) {
        const answer = await send(frontDoor.url, '/devices/d-1', {
          headers: { authorization: 'Bearer id-token', [name]: '{"userId":"someone-else"}' },
        });

        const echo = JSON.parse(answer.body) as Echo;
        expect(echo.headers, name).not.to.have.property('sls-offline-authorizer-override');
        expect(echo.headers.authorization).to.equal('Bearer id-token');
      }
    });

    it('forwards /me and /admin/... to the root mapping too', async () => {
      for (const path of ['/me', '/admin/devices/count']) {
        const echo = JSON.parse((await send(frontDoor.url, path)).body) as Echo;
        expect(echo).to.include({ service: 'api', url: path });
      }
    });

    it('strips a base path before forwarding, keeping the query', async () => {
      const deep = JSON.parse((await send(frontDoor.url, '/images/uploads/i-1?size=2')).body) as Echo;
      const bare = JSON.parse((await send(frontDoor.url, '/images')).body) as Echo;

      expect(deep).to.include({ service: 'images', url: '/uploads/i-1?size=2' });
      expect(bare).to.include({ service: 'images', url: '/' });
    });

    it('matches base paths by whole segments', async () => {
      const answer = await send(frontDoor.url, '/imagesque');

      expect(answer.status).to.equal(200);
      expect(answer.body).to.equal(INDEX);
    });

    it('proxies /cognito to cognito-local at its root, so that the browser needs no CORS', async () => {
      const answer = await send(frontDoor.url, '/cognito', {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth',
        },
        body: '{"AuthFlow":"USER_PASSWORD_AUTH"}',
      });

      const echo = JSON.parse(answer.body) as Echo;
      expect(echo).to.include({ service: 'cognito', method: 'POST', url: '/' });
      expect(echo.headers['x-amz-target']).to.equal('AWSCognitoIdentityProviderService.InitiateAuth');
      expect(echo.body).to.equal('{"AuthFlow":"USER_PASSWORD_AUTH"}');
    });

    it('answers 502 with a JSON error when the service is down', async () => {
      const answer = await send(frontDoor.url, '/ops/tasks');

      expect(answer.status).to.equal(502);
      expect(answer.headers['content-type']).to.equal('application/json');
      expect(JSON.parse(answer.body)).to.have.nested.property('error.code', 'BAD_GATEWAY');
    });
  });

  describe('the portal', () => {
    it('serves /config.json from the given settings', async () => {
      const answer = await send(frontDoor.url, '/config.json');

      expect(answer.status).to.equal(200);
      expect(answer.headers['content-type']).to.equal('application/json');
      expect(JSON.parse(answer.body)).to.deep.equal(config);
    });

    it('serves index.html at / and its assets with their content types', async () => {
      const index = await send(frontDoor.url, '/');
      const script = await send(frontDoor.url, '/assets/app-1234.js');
      const style = await send(frontDoor.url, '/assets/app-1234.css');

      expect(index).to.include({ status: 200, body: INDEX });
      expect(index.headers['content-type']).to.equal('text/html; charset=utf-8');
      expect(script.headers['content-type']).to.equal('text/javascript; charset=utf-8');
      expect(script.headers['cache-control']).to.include('immutable');
      expect(style.headers['content-type']).to.equal('text/css; charset=utf-8');
    });

    it('falls back to index.html for page addresses, not for missing files', async () => {
      const page = await send(frontDoor.url, '/devices-overview/kitchen');
      const missing = await send(frontDoor.url, '/assets/app-5678.js');

      expect(page).to.include({ status: 200, body: INDEX });
      expect(missing.status).to.equal(404);
    });

    it('answers HEAD without a body and refuses other methods on the portal', async () => {
      const head = await send(frontDoor.url, '/', { method: 'HEAD' });
      const post = await send(frontDoor.url, '/index.html', { method: 'POST', body: 'x' });

      expect(head).to.include({ status: 200, body: '' });
      expect(head.headers['content-length']).to.equal(String(Buffer.byteLength(INDEX)));
      expect(post.status).to.equal(405);
    });

    for (const path of [
      '/../package.json',
      '/assets/../../package.json',
      '/%2e%2e/package.json',
      '/%2E%2E/package.json',
      '/..%2fpackage.json',
      '/..%2Fpackage.json',
      '/assets/..%2f..%2fpackage.json',
      '/%2e%2e%2fpackage.json',
      '/..%5cpackage.json',
      '/..\\package.json',
      '/%252e%252e/package.json',
      '/%2e%2e%2f%2e%2e%2fpackage.json%00.html',
      '/%ff%2e%2e',
    ]) {
      it(`never serves a file outside the portal: ${path}`, async () => {
        const answer = await send(frontDoor.url, path);

        expect(answer.body).not.to.include('outside-the-portal');
        expect(answer.status).to.be.oneOf([400, 404]);
      });
    }
  });
});

describe('front door routes from the templates', () => {
  const restApi = { ApiGatewayRestApi: { Type: 'AWS::ApiGateway::RestApi', Properties: {} } };
  const topLevel = (pathPart: string) => ({
    Type: 'AWS::ApiGateway::Resource',
    Properties: { ParentId: { 'Fn::GetAtt': ['ApiGatewayRestApi', 'RootResourceId'] }, PathPart: pathPart },
  });
  const stack = (service: string, template: CloudFormationTemplate) =>
    createStack(service, `${service}-local`, template, { region: 'us-east-1', exports: new Map() });

  it('maps each service at its declared base path, else at its key; services without an API get none', () => {
    const api = stack('api', {
      Resources: {
        ...restApi,
        ApiGatewayResourceDevices: topLevel('devices'),
        ApiGatewayResourceMe: topLevel('me'),
        ApiGatewayResourceDevicesDeviceidVar: {
          Type: 'AWS::ApiGateway::Resource',
          Properties: { ParentId: { Ref: 'ApiGatewayResourceDevices' }, PathPart: '{deviceId}' },
        },
      },
      Outputs: { ApiBasePath: { Value: '/' } },
    });
    const images = stack('image-pipeline', {
      Resources: { ...restApi },
      Outputs: { ApiBasePath: { Value: '/images' } },
    });
    // Declared whether the stage has a custom domain or not: the front door plays the domain.
    const catalog = stack('catalog', {
      Resources: { ...restApi },
      Outputs: { ApiBasePath: { Value: 'lake' } },
    });
    const clickstream = stack('clickstream', { Resources: { ...restApi } });
    const ops = stack('ops', { Resources: {} });
    const described = (apiUrl: string, mapped: Stack) => ({
      name: mapped.service,
      apiUrl,
      lambdaEndpoint: 'http://127.0.0.1:1',
      functions: {},
      resources: {},
      outputs: {},
      ...apiMappingOf(mapped),
    });

    const routes = routesFrom({
      api: described('http://127.0.0.1:3000', api),
      'image-pipeline': described('http://127.0.0.1:3010', images),
      catalog: described('http://127.0.0.1:3020', catalog),
      clickstream: described('http://127.0.0.1:3030', clickstream),
      ops: described('http://127.0.0.1:3040', ops),
    });

    expect(routes).to.deep.equal([
      { basePath: '', target: 'http://127.0.0.1:3000', paths: ['devices', 'me'] },
      { basePath: '/images', target: 'http://127.0.0.1:3010' },
      { basePath: '/lake', target: 'http://127.0.0.1:3020' },
      { basePath: '/clickstream', target: 'http://127.0.0.1:3030' },
    ]);
  });

  it("gives the portal its stack's user pool, its client, the front door's Cognito path and the API's base path", () => {
    const config = portalConfigFrom(
      { UserPoolId: 'us-east-1_abc', UserPoolClientId: 'client123', PortalBucketName: 'portal' },
      { region: 'us-east-1', cognitoEndpoint: 'http://127.0.0.1:8080/cognito', apiBaseUrl: '/devices' },
    );

    expect(config).to.deep.equal({
      region: 'us-east-1',
      userPoolId: 'us-east-1_abc',
      userPoolClientId: 'client123',
      cognitoEndpoint: 'http://127.0.0.1:8080/cognito',
      apiBaseUrl: '/devices',
    });
  });
});
