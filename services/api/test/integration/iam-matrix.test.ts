import { expect } from 'chai';
import { rawRequest } from '../../../../local/test/raw-request';
import {
  identityPoolCredentials,
  type SignedRequest,
  signRequest,
  type TemporaryCredentials,
} from '../../tools/iam-client';
import { apiService, type TestCloud, useLocalCloud } from './cloud';
import { expectNoStackTrace, patiently } from './http';
import { type People, type Person, people } from './users';

// Pattern 1, A and B: IAM-authorized routes through the local cloud's front door (the custom domain's
// counterpart), with credentials from the identity pool and requests signed by the SDK's SigV4 signer.
// Every row gets API Gateway's answer: its 403s in this API's gateway responses (DEFAULT_4XX, and
// ACCESS_DENIED as FORBIDDEN), and for an allowed call the identity API Gateway puts in
// requestContext.identity.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html

const CALLER_ROUTE = '/me/credentials-check';
const ADMIN_ROUTE = '/admin/iam/devices/count';

interface Answer {
  status: number;
  body: { error?: { code?: string; message?: string } } & Record<string, unknown>;
  text: string;
}

async function sendSigned(request: SignedRequest, change: Partial<SignedRequest> = {}): Promise<Answer> {
  const { url, method, headers, body } = { ...request, ...change };
  const { origin, pathname, search } = new URL(url);
  // A GET with a body needs its length: Node sends it neither chunked nor delimited otherwise.
  const answer = await rawRequest(origin, `${pathname}${search}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    ...(body === undefined ? {} : { body }),
  });
  return { status: answer.status, body: parse(answer.body), text: answer.body };
}

function parse(text: string): Answer['body'] {
  try {
    return JSON.parse(text) as Answer['body'];
  } catch {
    return {};
  }
}

describe('api: IAM authorization matrix through the front door (identity pool credentials, SigV4)', () => {
  let cloud: TestCloud;
  let frontDoor: string;
  let region: string;
  let persons: People;
  let user: Person;
  let admin: Person;
  let userCredentials: TemporaryCredentials & { identityId: string };
  let adminCredentials: TemporaryCredentials & { identityId: string };
  let roles: { user: string; admin: string };

  const sign = (credentials: TemporaryCredentials, method: string, path: string, body?: string) =>
    signRequest(credentials, region, {
      baseUrl: frontDoor,
      method,
      path,
      ...(body === undefined ? {} : { body }),
    });

  /** An allowed call: a 504 (a cold start on a busy machine) is sent again, signed again. */
  const allowedCall = (credentials: TemporaryCredentials, path: string) =>
    patiently(
      async () => sendSigned(await sign(credentials, 'GET', path)),
      (answer) => answer.status === 504,
    );

  before(async function () {
    this.timeout(300_000);
    cloud = await useLocalCloud();
    frontDoor = cloud.description.portalUrl as string;
    region = cloud.description.region;
    const api = apiService(cloud);
    roles = {
      user: api.resources.IdentityUserRole as string,
      admin: api.resources.IdentityAdminRole as string,
    };
    const settings = {
      region,
      identityPoolId: api.outputs.IdentityPoolId as string,
      loginProvider: api.outputs.IdentityPoolLoginProvider as string,
      endpoint: cloud.description.endpoints.cognitoIdentity as string,
    };
    persons = people(cloud);
    [user, admin] = await Promise.all([persons.create(), persons.create({ admin: true })]);
    [userCredentials, adminCredentials] = await Promise.all([
      identityPoolCredentials(settings, user.idToken),
      identityPoolCredentials(settings, admin.idToken),
    ]);
  });

  after(() => persons?.destroy());

  it('1. unsigned: 403 Missing Authentication Token', async () => {
    const signed = await sign(userCredentials, 'GET', CALLER_ROUTE);
    const { authorization: _, ...unsigned } = signed.headers;

    const answer = await sendSigned(signed, { headers: unsigned });

    expect(answer.status, answer.text).to.equal(403);
    expect(answer.body).to.deep.equal({
      error: { code: 'MISSING_AUTHENTICATION_TOKEN', message: 'Missing Authentication Token' },
    });
  });

  it('2. signed with keys IAM never issued: 403, the security token is invalid', async () => {
    const unknown = {
      accessKeyId: 'ASIAUNKNOWNUNKNOWN00',
      secretAccessKey: 'unknown/unknown/unknown/unknown/unknown0',
      sessionToken: 'unknown-session',
    };

    const answer = await sendSigned(await sign(unknown, 'GET', CALLER_ROUTE));

    expect(answer.status, answer.text).to.equal(403);
    expect(answer.body.error).to.deep.equal({
      code: 'INVALID_SIGNATURE',
      message: 'The security token included in the request is invalid.',
    });
  });

  it('3. a tampered signature: 403, the signature does not match', async () => {
    const signed = await sign(userCredentials, 'GET', CALLER_ROUTE);
    const authorization = signed.headers.authorization as string;
    const tampered = authorization.replace(/.$/, (last) => (last === '0' ? '1' : '0'));

    const answer = await sendSigned(signed, { headers: { ...signed.headers, authorization: tampered } });

    expect(answer.status, answer.text).to.equal(403);
    expect(answer.body.error?.code).to.equal('INVALID_SIGNATURE');
    expect(answer.body.error?.message).to.match(/^The request signature we calculated does not match/);
  });

  it('4. the body changed after signing: 403, the signature does not match', async () => {
    const signed = await sign(userCredentials, 'GET', CALLER_ROUTE, '{"note":"as signed"}');

    const answer = await sendSigned(signed, { body: '{"note":"changed!!"}' });

    expect(answer.status, answer.text).to.equal(403);
    expect(answer.body.error?.code).to.equal('INVALID_SIGNATURE');
    expect(answer.body.error?.message).to.match(/^The request signature we calculated does not match/);
  });

  it('5. expired credentials: 403, the security token is expired', async function () {
    this.timeout(30_000);
    const settings = {
      region,
      identityPoolId: apiService(cloud).outputs.IdentityPoolId as string,
      loginProvider: apiService(cloud).outputs.IdentityPoolLoginProvider as string,
      endpoint: cloud.description.endpoints.cognitoIdentity as string,
    };
    const soonExpired = await identityPoolCredentials(settings, user.idToken);
    const expire = await fetch(`${settings.endpoint}/_local/expire-credentials`, {
      method: 'POST',
      body: JSON.stringify({ accessKeyId: soonExpired.accessKeyId }),
    });
    expect(expire.status).to.equal(204);

    const answer = await sendSigned(await sign(soonExpired, 'GET', CALLER_ROUTE));

    expect(answer.status, answer.text).to.equal(403);
    expect(answer.body.error).to.deep.equal({
      code: 'EXPIRED_TOKEN',
      message: 'The security token included in the request is expired',
    });
  });

  it('6. the user role on the admin route: 403, not authorized (explicit deny)', async () => {
    const answer = await sendSigned(await sign(userCredentials, 'GET', ADMIN_ROUTE));

    expect(answer.status, answer.text).to.equal(403);
    expect(answer.body.error?.code).to.equal('FORBIDDEN');
    expect(answer.body.error?.message).to.match(
      new RegExp(
        `^User: arn:aws:sts::\\d{12}:assumed-role/${roles.user}/CognitoIdentityCredentials is not authorized to ` +
          `perform: execute-api:Invoke on resource: arn:aws:execute-api:${region}:\\d{12}:[^/]+/[^/]+/GET/admin/iam/devices/count with an explicit deny$`,
      ),
    );
    expectNoStackTrace(answer);
  });

  it('7. the admin role on the admin route: 200, the count, as the admin role', async function () {
    this.timeout(90_000);
    const answer = await allowedCall(adminCredentials, ADMIN_ROUTE);

    expect(answer.status, answer.text).to.equal(200);
    expect(answer.body.count).to.be.a('number');
    expect(answer.body.role).to.equal(roles.admin);
  });

  it("8. a user's credentials on the caller route: 200, with that user's identity and role", async function () {
    this.timeout(90_000);
    const answer = await allowedCall(userCredentials, CALLER_ROUTE);

    expect(answer.status, answer.text).to.equal(200);
    expect(answer.body).to.include({
      identityId: userCredentials.identityId,
      identityPoolId: apiService(cloud).outputs.IdentityPoolId,
      authenticationType: 'authenticated',
      role: roles.user,
    });
    expect(answer.body.authenticationProvider).to.match(new RegExp(`:CognitoSignIn:${user.userId}$`));
    expect(answer.body.userArn).to.match(
      new RegExp(`:assumed-role/${roles.user}/CognitoIdentityCredentials$`),
    );
  });

  it('the admin on the caller route sees the admin role and their own identity', async function () {
    this.timeout(90_000);
    const answer = await allowedCall(adminCredentials, CALLER_ROUTE);

    expect(answer.status, answer.text).to.equal(200);
    expect(answer.body).to.include({ identityId: adminCredentials.identityId, role: roles.admin });
    expect(adminCredentials.identityId).to.not.equal(userCredentials.identityId);
  });

  it('is not open behind the front door: serverless-offline refuses the route, signed or with identity headers', async () => {
    const offline = apiService(cloud).apiUrl;
    const signed = await signRequest(userCredentials, region, {
      baseUrl: offline,
      method: 'GET',
      path: CALLER_ROUTE,
    });
    const forged = {
      'cognito-identity-id': userCredentials.identityId,
      'x-local-cloud-iam-identity': Buffer.from('{"userArn":"x"}').toString('base64url'),
      'x-local-cloud-iam-proof': 'forged',
    };
    for (const headers of [signed.headers, forged]) {
      const answer = await sendSigned(signed, { headers });
      expect(answer.status, answer.text).to.equal(403);
      expect(answer.body).to.deep.equal({ message: 'Missing Authentication Token' });
    }
  });
});
